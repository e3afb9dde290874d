// apps: each app and whether it is running (`--json` for one JSON document).
import { listApps, appStatus } from '../state/apps.js'
import { mayUseApp } from '../parse/access.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const json = args.includes('--json')
  const extra = args.filter((a) => a !== '--json')
  if (extra.length) throw new UserError(`apps: unexpected argument "${extra[0]}"; usage: apps [--json]`)
  const apps = listApps()
    .filter((n) => mayUseApp(ctx, n))
    .map(appStatus)
  if (json) {
    log.json({ apps })
    return 0
  }
  if (!apps.length) {
    log.note('There are no applications deployed.')
    return 0
  }
  for (const a of apps) log.outLine(`${a.running ? '*' : ' '} ${a.name}${a.release ? `  (${a.release})` : ''}${a.maintenance ? '  maintenance' : ''}`)
  return 0
}
