// restore: recreate an app from a `backup` archive (its database and Redis too, as the new app's own), then deploy it. The archive is saved and checked in a
// temp folder first (manifest, every member inside the app's layout, a git repo); a corrupt or foreign one
// changes nothing. An existing app is only replaced with `force`.
import { UserError } from '../errors.js'
import type { AuthUser } from '../parse/htpasswd.js'
import type { BackupKey } from '../parse/backup.js'
import * as log from '../log.js'

export interface RestoreRequest {
  app: string // a valid app name
  force: boolean
  key: string // who asked (the deploy's audit and deploy log)
  input: NodeJS.ReadableStream // the gzip tar
}

/** What a checked archive holds, unpacked in the temp folder. */
interface Unpacked {
  out: string // the unpacked archive
  src: string // the app the backup was made of
  created: string // when the backup was made
  keys: BackupKey[]
  auth: AuthUser[]
  repo: string // the archive's bare repo
  sha: string // the commit its deploy branch names
  dump?: string // the database's dump (checked: pg_restore reads it whole), when the backup has one
  script: string // where the dump's SQL is written by that check
}

export async function restoreApp({ app, force, key, input }: RestoreRequest): Promise<void> {
  const { mkdirSync, mkdtempSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { hostPaths } = await import('../state/paths.js')
  const { withAppLock } = await import('./app-change.js')

  const h = hostPaths()
  mkdirSync(h.run, { recursive: true, mode: 0o700 })
  const tmp = mkdtempSync(join(h.run, `restore-${app}-`))
  try {
    const archive = await unpackArchive(tmp, input)
    // 3. move into place, holding the app's lock
    await withAppLock(app, 'restore', async () => {
      await moveIntoPlace(app, force, archive)
      await restoreDatabases(app, archive)
      log.step(`restored ${app} from a backup of "${archive.src}" made ${archive.created}`)
      const { deployRevision } = await import('./deploy.js')
      await deployRevision({ app, sha: archive.sha, key, reason: 'restore' })
    })
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Steps 1 and 2: the archive saved in `tmp`, listed and checked member by member, then unpacked and read
 *  (manifest, keys, basic-auth users, a complete git repo with a branch to deploy). Throws, changing nothing. */
async function unpackArchive(tmp: string, input: NodeJS.ReadableStream): Promise<Unpacked> {
  const { createWriteStream, existsSync, mkdirSync, readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { pipeline } = await import('node:stream/promises')
  const { runCapture } = await import('../host/system.js')
  const { parseManifest, parseBackupKeys, parseTarListing, validateMembers, AUTH_MEMBER, DATABASE_MEMBER } = await import('../parse/backup.js')
  const { parseHtpasswd } = await import('../parse/htpasswd.js')
  const tarEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' }

  // 1. save the archive, list it and check every member before anything is extracted
  const archive = join(tmp, 'archive.tar.gz')
  await pipeline(input, createWriteStream(archive, { mode: 0o600 }))
  const listing = await runCapture('tar', ['-tvzf', archive, '--numeric-owner', '--quoting-style=escape'], { env: tarEnv })
  if (listing.code !== 0) throw new UserError(`the input is not a gzip tar archive, or it is damaged (${listing.stderr.trim().split('\n')[0] || 'tar failed'}); nothing changed`)
  const members = validateMembers(parseTarListing(listing.stdout))
  if (!members.ok) throw new UserError(`${members.errors[0]}; nothing changed`)
  const src = members.value

  // 2. extract into the temp folder and read what it says
  const out = join(tmp, 'x')
  mkdirSync(out, { mode: 0o700 })
  const x = await runCapture('tar', ['-xzf', archive, '-C', out, '--no-same-owner', '--no-overwrite-dir'], { env: tarEnv })
  if (x.code !== 0) throw new UserError(`could not unpack the archive (${x.stderr.trim().split('\n')[0]}); nothing changed`)
  const manifest = parseManifest(readFileSync(join(out, 'manifest.json'), 'utf8'))
  if (!manifest.ok) throw new UserError(`${manifest.errors[0]}; nothing changed`)
  if (manifest.value.app !== src) throw new UserError(`manifest.json names app "${manifest.value.app}" but the archive holds "${src}"; nothing changed`)
  const keys = existsSync(join(out, 'keys.json')) ? parseBackupKeys(readFileSync(join(out, 'keys.json'), 'utf8')) : { ok: true as const, value: [] }
  if (!keys.ok) throw new UserError(`${keys.errors[0]}; nothing changed`)
  const authText = existsSync(join(out, AUTH_MEMBER)) ? readFileSync(join(out, AUTH_MEMBER), 'utf8') : ''
  const auth = parseHtpasswd(authText, `${AUTH_MEMBER} in the archive`)
  if (!auth.ok) throw new UserError(`${auth.errors[0]}; nothing changed`)
  const repo = join(out, 'repos', src)
  const { readDeployBranch, hasAllObjects } = await import('../host/git.js')
  const branch = await readDeployBranch(repo)
  if (!branch) throw new UserError(`the archive's repository has no main or master branch to deploy; nothing changed`)
  const fsck = await hasAllObjects(repo, branch.sha)
  if (fsck.code !== 0) throw new UserError(`the archive's repository is damaged (${fsck.stderr.trim().split('\n')[0]}); nothing changed`)

  // its database: the dump must be one pg_restore reads whole, before anything moves
  const dump = join(out, DATABASE_MEMBER)
  const script = join(tmp, 'database.sql')
  const databases = await import('./databases.js')
  if (existsSync(dump)) await databases.checkDump(dump, script)
  return { out, src, created: manifest.value.created, keys: keys.value, auth: auth.value, repo, sha: branch.sha, dump: existsSync(dump) ? dump : undefined, script }
}

/** Step 3 (the caller holds the app's lock): an existing app is stopped and replaced (only with `force`),
 *  then the repo, config, data, basic-auth users, hook and template copies and key grants are put in place. */
async function moveIntoPlace(app: string, force: boolean, a: Unpacked): Promise<void> {
  const { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { appPaths, hostPaths, joinWithin } = await import('../state/paths.js')
  const { CONFIG_FILES } = await import('../parse/backup.js')
  const p = appPaths(app)
  const { out, src } = a
  const exists = existsSync(join(p.repo, 'HEAD'))
  const dataExists = existsSync(p.data) && readdirSync(p.data).length > 0
  if (exists && !force) throw new UserError(`app "${app}" exists: restore ${app} --force replaces it (its repo, config and data); nothing changed`)
  if (dataExists && !force && existsSync(join(out, 'data', src))) {
    throw new UserError(`${p.data} holds data from an earlier "${app}": restore ${app} --force replaces it, or move it away; nothing changed`)
  }
  if (exists) {
    const { stopApp } = await import('./activate.js')
    await stopApp(app)
    for (const dir of [p.home, p.deps, p.repo]) rmSync(dir, { recursive: true, force: true })
    log.info(`replaced the existing "${app}" (--force)`)
  }
  renameSync(a.repo, p.repo)
  mkdirSync(p.config, { recursive: true, mode: 0o700 })
  for (const f of CONFIG_FILES) {
    const from = join(out, 'config', src, f)
    const to = joinWithin(p.config, f)
    if (existsSync(from)) {
      chmodSync(from, 0o600)
      renameSync(from, to)
    } else rmSync(to, { force: true })
  }
  rmSync(p.state, { force: true }) // a restored app runs (a `stop` on the old host does not carry over)
  const data = join(out, 'data', src)
  if (existsSync(data)) {
    rmSync(p.data, { recursive: true, force: true })
    renameSync(data, p.data)
    chmodSync(p.data, 0o700)
  }
  // its basic-auth users as they were (none in the archive: none now); setfacl gives nginx alone read
  const { writeAuthUsers } = await import('../state/basic-auth.js')
  const authWarning = await writeAuthUsers(app, a.auth)
  if (authWarning) log.warn(authWarning)
  if (a.auth.length) log.info(`basic-auth users of "${app}" restored: ${a.auth.map((u) => u.user).join(', ')}`)
  // the backup's own hooks and templates: edits come back as they were, stock copies follow this toolkit
  const { syncCopies } = await import('../state/stock.js')
  for (const line of syncCopies(app)) log.info(line)
  const { grantAppToKeys } = await import('../state/key-store.js')
  const granted = await grantAppToKeys(hostPaths().root, app, a.keys.map((k) => k.fingerprint))
  if (granted.length) log.info(`keys given "${app}" again: ${granted.join(', ')}`)
  const known = new Set(granted)
  for (const k of a.keys.filter((k) => !known.has(k.name))) {
    log.info(`key "${k.name}" (${k.role}) had "${app}" but is not on this host (or already has it): keys:add ${k.name} ${k.role} ${app} < KEY.pub`)
  }
}

/** The database and the Redis come back as this app's own: its role and port, new credentials in ENV. */
async function restoreDatabases(app: string, a: Unpacked): Promise<void> {
  const { appPaths } = await import('../state/paths.js')
  const databases = await import('./databases.js')
  const { readConfigText } = await import('../state/app-config.js')
  const { writeFileAtomic } = await import('../host/atomic-file.js')
  const { applyEnvChanges } = await import('../parse/env-file.js')
  let envText = readConfigText(app)
  if (a.dump) {
    const vars = await databases.ensureDatabase(app)
    await databases.loadScript(app, a.script)
    envText = databases.withDatabaseEnv(envText, vars)
    log.info(`database ${databases.appDatabase(app)} loaded from the backup's dump`)
  }
  const { readRedisRecord, writeRedisRecord } = await import('../state/databases.js')
  const redis = readRedisRecord(app)
  if (redis) {
    const record = { ...redis, port: await databases.pickRedisPort(app, redis.port) }
    writeRedisRecord(app, record)
    envText = applyEnvChanges(envText, databases.redisEnv(record))
    log.info(`Redis of "${app}" on 127.0.0.1:${record.port} with the backup's data`)
  }
  if (envText !== readConfigText(app)) writeFileAtomic(appPaths(app).env, envText, 0o600)
}
