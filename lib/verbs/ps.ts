// ps: the app's kinds and counts, and for each running instance its uwsgi master pid, every pid under it and
// their resident memory (and memory cap); then other activations (starting, draining, orphaned) and workers
// left without a vassal file. Read in deploy/ps-report.ts, written by render/ps.ts. `--json` for one document.
import { UserError } from '../errors.js'
import { readPs } from '../deploy/ps-report.js'
import { renderPs } from '../render/ps.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError('usage: ps APP [--json]')
  const report = await readPs(app)
  if (json) log.json(report)
  else log.out(renderPs(report))
  return 0
}
