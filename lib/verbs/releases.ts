// releases: the releases an app can roll back to, newest first (id, commit, time, who deployed, outcome:
// live, staged (PIKU_AUTO_RESTART=0: waits for restart or deploy), rolled-back or previous).
import { listReleases, readPlan, readHistory, currentRelease, readStaged } from '../state/release.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export interface ReleaseRow {
  id: string
  commit: string
  subject: string
  time: string
  key: string
  reason: string
  live: boolean
  outcome: string
}

export function releaseRows(app: string): ReleaseRow[] {
  const live = currentRelease(app)
  const staged = readStaged(app)
  const history = readHistory(app)
  const rows: ReleaseRow[] = []
  for (const id of listReleases(app)) {
    const plan = readPlan(app, id)
    if (!plan) continue
    const last = [...history].reverse().find((h) => h.id === id)
    rows.push({
      id,
      commit: plan.sha,
      subject: plan.subject,
      time: plan.created,
      key: plan.key,
      reason: plan.reason,
      live: id === live,
      outcome: id === live ? 'live' : id === staged ? 'staged' : last?.outcome === 'rolled-back' ? 'rolled-back' : 'previous',
    })
  }
  return rows
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.includes('--json')
  const extra = rest.filter((a) => a !== '--json')
  if (extra.length) throw new UserError(`releases: unexpected argument "${extra[0]}"; usage: releases APP [--json]`)
  const rows = releaseRows(app)
  if (json) {
    log.json({ app, releases: rows })
    return 0
  }
  if (!rows.length) {
    log.note(`app "${app}" has no releases yet`)
    return 0
  }
  for (const r of rows) {
    log.outLine(`${r.live ? '*' : ' '} ${r.id.padEnd(5)} ${r.commit.slice(0, 7)}  ${r.time.replace('T', ' ').slice(0, 19)}  ${r.key.padEnd(12)} ${r.outcome.padEnd(11)} ${r.reason}  ${r.subject}`)
  }
  return 0
}
