// backup: stream one app (git repo, ENV, SCALING and redis.json, the keys granted it, its basic-auth users, its database as a
// pg_dump, DATA_ROOT with its Redis data) to stdout as a gzip tar
// with a manifest first:   ssh piku@host backup myapp > myapp.tar.gz
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'
import type { BackupKey } from '../parse/backup.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 0) throw new UserError('usage: backup APP > APP.tar.gz')
  if (process.stdout.isTTY) throw new UserError('backup writes a gzip tar to stdout: redirect it, e.g. ssh piku@host backup APP > APP.tar.gz')
  const { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { appPaths, hostPaths } = await import('../state/paths.js')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { currentRelease } = await import('../state/release.js')
  const { readKeyRecords } = await import('../state/key-store.js')
  const { readHeadRef } = await import('../host/git.js')
  const { runAttached } = await import('../host/run.js')
  const { renderManifest, AUTH_MEMBER, DATABASE_MEMBER, BACKUP_FORMAT, BACKUP_VERSION, CONFIG_FILES } = await import('../parse/backup.js')

  const h = hostPaths()
  const p = appPaths(app)
  // the app's lock: no push or config change lands half-way through the archive
  return withAppLock(app, 'backup', async () => {
    const head = await readHeadRef(p.repo)
    const keys: BackupKey[] = readKeyRecords(h.root)
      .filter((r) => r.role !== 'admin' && r.apps.includes(app))
      .map((r) => ({ name: r.name, role: r.role, fingerprint: r.fingerprint }))
    const tmp = mkdtempSync(join(h.run, `backup-${app}-`))
    try {
      writeFileSync(join(tmp, 'manifest.json'), renderManifest({ format: BACKUP_FORMAT, version: BACKUP_VERSION, app, created: new Date().toISOString(), branch: head || undefined, release: currentRelease(app) }), { mode: 0o600 })
      writeFileSync(join(tmp, 'keys.json'), JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 })
      const fromTmp = ['manifest.json', 'keys.json']
      if (existsSync(p.authFile)) {
        copyFileSync(p.authFile, join(tmp, AUTH_MEMBER))
        fromTmp.push(AUTH_MEMBER)
      }
      // its database, dumped as its own role (a consistent snapshot, while the app keeps running)
      const { probeDatabase, exportDatabase } = await import('../deploy/databases.js')
      const db = await probeDatabase(app)
      if (typeof db === 'string' && db) throw new UserError(`${db}; no backup was made`)
      if (db === true) {
        await exportDatabase(app, join(tmp, DATABASE_MEMBER))
        fromTmp.push(DATABASE_MEMBER)
      }
      const fromHome = [`repos/${app}`, `config/${app}`, ...CONFIG_FILES.map((f) => `config/${app}/${f}`).filter((f) => existsSync(join(h.root, f)))]
      if (existsSync(p.data)) fromHome.push(`data/${app}`)
      // config/APP itself without its other files (state, LIVE_ENV): --no-recursion for that one entry
      const tarArgs = ['-czf', '-', '--warning=no-file-changed', '-C', tmp, ...fromTmp, '-C', h.root, `repos/${app}`]
      tarArgs.push('--no-recursion', ...fromHome.filter((f) => f.startsWith('config/')), '--recursion', ...fromHome.filter((f) => f.startsWith('data/')))
      const tar = await runAttached('tar', tarArgs, { stdio: ['ignore', 'inherit', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } })
      const code = tar.code
      if (code !== 0 && tar.stderr.trim()) log.warn(tar.stderr.trim().split('\n')[0])
      // GNU tar: 1 = a file changed while it was read (the app kept writing its data); the archive is whole
      if (code > 1) throw new UserError(`backup of "${app}" failed (tar exit ${code}); the archive is incomplete`)
      log.step(`backed up ${app}${code === 1 ? ' (some data files changed while they were read; stop the app for a still copy)' : ''}`)
      return 0
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })
}
