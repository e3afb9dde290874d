// destroy: stop an app and remove everything of it (repo, releases, config, deps, logs, cache, certificates, nginx
// file) and nothing of any other app; its data folder (Redis data included) and its PostgreSQL database stay unless
// `--data` is given.
import { existsSync, rmSync } from 'node:fs'
import { appPaths, type AppPaths } from '../state/paths.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

/** What destroy removes, in order (the repo last: while it exists the app still "exists"). */
export function planDestroy(p: AppPaths, withData: boolean): string[] {
  return [p.home, p.config, p.deps, p.logs, p.cache, p.nginxConf, p.authFile, p.certs, ...(withData ? [p.data] : []), p.repo]
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const withData = rest.includes('--data')
  const extra = rest.filter((a) => a !== '--data')
  if (extra.length > 0) throw new UserError(`destroy: unexpected argument ${JSON.stringify(extra[0].slice(0, 40))}; usage: destroy APP [--data]`)
  const { withAppLock } = await import('../deploy/app-change.js')
  const { stopApp } = await import('../deploy/activate.js')
  await withAppLock(app, 'destroy', async () => {
    const p = appPaths(app)
    await stopApp(app)
    for (const path of planDestroy(p, withData)) {
      if (!existsSync(path)) continue
      rmSync(path, { recursive: true, force: true })
      log.info(`removed ${path}`)
    }
    if (!withData && existsSync(p.data)) log.info(`kept ${p.data} (destroy ${app} --data removes it)`)
    // its PostgreSQL database goes with its data, or stays with it
    const { probeDatabase, dropDatabase, appDatabase } = await import('../deploy/databases.js')
    const db = await probeDatabase(app)
    if (typeof db === 'string' && db) log.warn(`${db}: the database of "${app}" was ${withData ? 'not dropped' : 'not checked'}`)
    else if (db === true && withData) {
      await dropDatabase(app)
      log.info(`dropped the database ${appDatabase(app)} and its role`)
    } else if (db === true) log.info(`kept the database ${appDatabase(app)} (destroy ${app} --data drops it; postgres:create ${app} takes it back)`)
    log.step(`destroyed ${app}`)
  })
  return 0
}
