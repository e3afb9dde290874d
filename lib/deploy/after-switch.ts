// after-switch: what happens after a switch is started detached from the push, so it returns at once
// (lib/entries/watch.ts runs deploy/crash-watch.ts): the previous activation's workers stop after a short drain,
// and, when asked, the new release is watched for a crash loop.
import { appPaths, toolkitScript } from '../state/paths.js'
import { spawnDetached } from '../host/run.js'

/** How long a replaced activation keeps its workers after nginx moved away from them: requests nginx's old
 *  workers still pass to it finish (the switch, restart, recovery and uninstalling an app all wait this long). */
export const DRAIN_MS = 1500
/** How long the watcher waits for the retired workers' memory cgroups to empty before it says which stay. */
export const REAP_MS = 30_000
/** How long a stopped app's memory cgroups are waited for (any left go at its next activation). */
export const REAP_STOPPED_MS = 5000
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
  return spawnDetached(toolkitScript('watch.js'), [app, JSON.stringify(opts)], appPaths(app).watchLog)
}

