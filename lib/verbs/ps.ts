// ps: the app's kinds and counts, and for each running instance its uwsgi master pid, every pid under
// it and their resident memory (`--json` for one JSON document).
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError('usage: ps APP [--json]')
  const { readPs } = await import('../state/instances.js')
  const report = readPs(app)
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  else process.stdout.write((await import('../render/ps.js')).renderPs(report))
  return 0
}
