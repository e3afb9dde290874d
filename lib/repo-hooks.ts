// repo-hooks: install.sh's pass over every app's own hooks and templates after an upgrade (as the user):
// missing copies are written, unedited ones follow the new toolkit, edited ones are kept and the admin is
// told where the new stock version is. Hooks left as links to the toolkit by an older install become files.
//   node repo-hooks.js   (as the piku-hooks user; PIKU_ROOT or HOME names the host root)
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { hostPaths, startedAs } from './state/paths.js'
import { validateAppName } from './parse/app-name.js'
import * as log from './log.js'

/** Sync the copies of every app under the host root; returns the lines to print. */
export async function syncAllApps(): Promise<string[]> {
  const repos = hostPaths().repos
  if (!existsSync(repos)) return []
  const { syncCopies } = await import('./state/stock.js')
  const out: string[] = []
  for (const app of readdirSync(repos).sort()) {
    if (!validateAppName(app).ok || !existsSync(join(repos, app, 'HEAD'))) continue
    out.push(...syncCopies(app))
  }
  return out
}

if (startedAs('repo-hooks.js')) {
  syncAllApps().then(
    (lines) => {
      for (const l of lines) log.outLine(`       ${l}`)
    },
    (e: unknown) => {
      log.failure(`could not update the apps' hooks and templates: ${(e as Error).message}`)
      process.exitCode = 1
    },
  )
}
