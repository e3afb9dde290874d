// crash-watch: after a switch, the previous activation's workers stop after a short drain; then, when
// asked, the new release's web workers are watched for a minute, and if they fail the app's own health rule
// repeatedly (judgeHealth: PIKU_HEALTH_STATUS and PIKU_HEALTH_CONTENT, as the push judged them; a crash loop
// answers nothing and fails it too) the previous release is brought back on its own and the history says why.
import { appPaths } from '../state/paths.js'
import { FAILURES_TO_ROLL_BACK, PROBE_MS, REAP_MS, WATCH_MS, type AfterSwitch } from './after-switch.js'
import type { HostSettings } from '../state/host-settings.js'
import { describeAnswer, judgeHealth } from '../parse/health.js'
import * as log from '../log.js'

/** Stop the retired activation after the drain, then watch the new one when asked. */
export async function afterSwitch(app: string, opts: AfterSwitch): Promise<void> {
  const { sleep } = await import('../host/system.js')
  const { readHostSettings } = await import('../state/host-settings.js')
  const host = readHostSettings() // once, for the reaping and a rollback
  if (opts.retire) {
    await sleep(opts.drainMs)
    const { removeActivation } = await import('../state/activations.js')
    removeActivation(app, opts.retire)
  }
  // the retired workers' memory cgroups go as they empty, while the new release is watched
  const reap = opts.retire ?? opts.reap
  const reaping = reap
    ? import('./memory.js').then(async ({ reapGroups }) => {
        const left = await reapGroups(app, host.memoryCgroup, { onlyToken: reap }, REAP_MS)
        if (left.length) log.outLine(`${new Date().toISOString()} ${app}: memory cgroups still in use ${REAP_MS / 1000} s after their workers were stopped: ${left.join(', ')}`)
      })
    : undefined
  if (opts.watchPrevious) await watch(app, opts.token, opts.watchPrevious, host)
  await reaping
}

async function watch(app: string, token: string, previous: string, host: HostSettings): Promise<void> {
  const { readActive, readPlan, appendHistory } = await import('../state/release.js')
  const { httpAnswer, sleep } = await import('../host/system.js')
  const end = Date.now() + WATCH_MS
  let failures = 0
  let crashes = 0 // failures where nothing answered
  let last = ''
  while (Date.now() < end) {
    await sleep(PROBE_MS)
    const active = readActive(app)
    if (!active || active.token !== token) return // replaced, stopped or rolled back meanwhile
    const plan = readPlan(app, active.release)
    if (!plan) return
    const serverName = plan.serverNames[0] ?? 'localhost'
    for (const port of Object.values(active.ports).flat()) {
      const answer = await httpAnswer(port, plan.health.path, serverName)
      const reason = judgeHealth(answer, plan.health)
      if (reason === undefined) continue
      failures++
      if (answer.status === 0) crashes++
      last = `port ${port}: ${reason}${answer.status ? ` (${describeAnswer(answer)})` : ''}`
    }
    if (failures >= FAILURES_TO_ROLL_BACK) {
      const { acquireLock, releaseLock } = await import('../state/lock.js')
      const { activate } = await import('./activate.js')
      const lock = appPaths(app).lock
      await acquireLock(lock, process.pid, 'automatic rollback', 120_000)
      try {
        const now = readActive(app)
        const back = readPlan(app, previous)
        if (!now || now.token !== token || !back) return
        log.outLine(`${new Date().toISOString()} ${app}: ${active.release} failed ${failures} health checks after the switch (last: ${last}); rolling back to ${previous}`)
        await activate(back, { host, quiet: true })
        // every failure a crash (nothing answered): a crash loop; else the app answered against its own rule
        const [reason, what] = crashes === failures ? ['crash-loop', 'crashed'] : ['unhealthy', `failed its health check (${last})`]
        appendHistory(app, { id: active.release, sha: plan.sha, time: new Date().toISOString(), key: 'watch', reason, outcome: 'rolled-back', message: `${what} after the switch; ${previous} serves again` })
        appendHistory(app, { id: previous, sha: back.sha, time: new Date().toISOString(), key: 'watch', reason, outcome: 'live' })
      } finally {
        releaseLock(lock, process.pid)
      }
      return
    }
  }
}
