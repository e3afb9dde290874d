// watch: what happens after a switch, detached from the push so it returns at once. The previous
// activation's workers stop after a short drain; then, when asked, the new release's web workers are
// watched for a minute, and if they stop answering repeatedly (a crash loop) the previous release is
// brought back on its own and the history says why.
//   node watch.js APP JSON-OPTIONS
import { spawn } from 'node:child_process'
import { openSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { appPaths, startedAs, toolkitScript } from './state/paths.js'

export const WATCH_MS = 60_000
export const PROBE_MS = 1_000
export const FAILURES_TO_ROLL_BACK = 3

export interface AfterSwitch {
  token: string // the activation that now serves
  retire?: string // the activation to stop after the drain
  drainMs: number
  watchPrevious?: string // the release to go back to if `token` crash-loops
  reap?: string // an activation whose workers were stopped: remove its memory cgroups as they empty
}

/** Start the detached watcher; returns its pid. */
export function spawnAfterSwitch(app: string, opts: AfterSwitch): number | undefined {
  const logs = appPaths(app).logs
  mkdirSync(logs, { recursive: true, mode: 0o700 })
  const log = openSync(join(logs, 'watch.log'), 'a', 0o600)
  const child = spawn(process.execPath, [toolkitScript('watch.js'), app, JSON.stringify(opts)], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, USER: process.env.USER, PIKU_ROOT: process.env.PIKU_ROOT },
    cwd: '/',
  })
  child.unref()
  return child.pid
}

async function afterSwitch(app: string, opts: AfterSwitch): Promise<void> {
  const { sleep } = await import('./host/system.js')
  if (opts.retire) {
    await sleep(opts.drainMs)
    const { removeActivation } = await import('./deploy/activate.js')
    removeActivation(app, opts.retire)
  }
  // the retired workers' memory cgroups go as they empty, while the new release is watched
  const reap = opts.retire ?? opts.reap
  const reaping = reap
    ? import('./deploy/memory.js').then(async ({ reapGroups }) => {
        const left = await reapGroups(app, { onlyToken: reap }, 30_000)
        if (left.length) console.log(`${new Date().toISOString()} ${app}: memory cgroups still in use 30 s after their workers were stopped: ${left.join(', ')}`)
      })
    : undefined
  if (opts.watchPrevious) await watch(app, opts.token, opts.watchPrevious)
  await reaping
}

async function watch(app: string, token: string, previous: string): Promise<void> {
  const { readActive, readPlan, appendHistory } = await import('./state/release.js')
  const { httpStatus, sleep } = await import('./host/system.js')
  const end = Date.now() + WATCH_MS
  let failures = 0
  while (Date.now() < end) {
    await sleep(PROBE_MS)
    const active = readActive(app)
    if (!active || active.token !== token) return // replaced, stopped or rolled back meanwhile
    const plan = readPlan(app, active.release)
    if (!plan) return
    const host = plan.serverNames[0] ?? 'localhost'
    for (const port of Object.values(active.ports).flat()) {
      const s = await httpStatus(port, plan.health.path, host)
      if (s === 0 || s >= 500) failures++
    }
    if (failures >= FAILURES_TO_ROLL_BACK) {
      const { acquireLock, releaseLock } = await import('./state/lock.js')
      const { activate } = await import('./deploy/activate.js')
      const lock = appPaths(app).lock
      await acquireLock(lock, process.pid, 'automatic rollback', 120_000)
      try {
        const now = readActive(app)
        const back = readPlan(app, previous)
        if (!now || now.token !== token || !back) return
        console.log(`${new Date().toISOString()} ${app}: ${active.release} failed ${failures} health checks after the switch; rolling back to ${previous}`)
        await activate(back, { quiet: true })
        appendHistory(app, { id: active.release, sha: plan.sha, time: new Date().toISOString(), key: 'watch', reason: 'crash-loop', outcome: 'rolled-back', message: `crashed after the switch; ${previous} serves again` })
        appendHistory(app, { id: previous, sha: back.sha, time: new Date().toISOString(), key: 'watch', reason: 'crash-loop', outcome: 'live' })
      } finally {
        releaseLock(lock, process.pid)
      }
      return
    }
  }
}

if (startedAs('watch.js')) {
  const [app, json] = process.argv.slice(2)
  afterSwitch(app, JSON.parse(json) as AfterSwitch).catch((e) => {
    console.log(`${new Date().toISOString()} ${app}: after-switch failed: ${(e as Error)?.stack ?? e}`)
    process.exitCode = 1
  })
}
