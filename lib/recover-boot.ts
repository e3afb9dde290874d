// recover-boot: what piku-boot runs as the user before it starts the emperor: every app is put in order
// (deploy/recover.ts) so activations an interrupted deploy or a crash left behind never start again, and the
// live records are rebuilt from what is on disk. An app whose lock is held (a deploy runs) is left alone.
// Prints one line per repair; exits 0 unless something failed.
//   node recover-boot.js
import { existsSync, readdirSync } from 'node:fs'
import { appPaths, hostPaths, startedAs } from './state/paths.js'
import { validateAppName } from './parse/app-name.js'
import * as log from './log.js'

/** Apps with a repo or an apps/ folder (a half-destroyed app still gets its workers cleaned). */
export function appsOnDisk(): string[] {
  const h = hostPaths()
  const names = new Set<string>()
  for (const dir of [h.repos, h.apps]) if (existsSync(dir)) for (const d of readdirSync(dir)) if (validateAppName(d).ok) names.add(d)
  return [...names].sort()
}

async function main(): Promise<number> {
  const { tryLock, releaseLock } = await import('./state/lock.js')
  const { recoverApp } = await import('./deploy/recover.js')
  let failed = 0
  for (const app of appsOnDisk()) {
    const lock = appPaths(app).lock
    if (!tryLock(lock, process.pid, 'recovery at boot')) {
      log.outLine(`${app}: a deploy holds its lock; not checked`)
      continue
    }
    try {
      const r = await recoverApp(app)
      for (const n of r.notes) log.outLine(`${app}: ${n}`)
    } catch (e) {
      failed++
      log.note(`${app}: recovery failed: ${(e as Error).message}`)
    } finally {
      releaseLock(lock, process.pid)
    }
  }
  return failed ? 1 : 0
}

if (startedAs('recover-boot.js')) {
  main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      log.note(`recovery failed: ${(e as Error)?.stack ?? e}`)
      process.exitCode = 1
    },
  )
}
