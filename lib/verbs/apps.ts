// apps: each app and whether it is running (`--json` for one JSON document).
import { listApps, appStatus } from '../state/apps.js'
import { mayUseApp } from '../parse/access.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const json = args.includes('--json')
  const extra = args.filter((a) => a !== '--json')
  if (extra.length) throw new UserError(`apps: unexpected argument "${extra[0]}"; usage: apps [--json]`)
  const apps = listApps()
    .filter((n) => mayUseApp(ctx, n))
    .map(appStatus)
  if (json) {
    process.stdout.write(JSON.stringify({ apps }, null, 2) + '\n')
    return 0
  }
  if (!apps.length) {
    process.stderr.write('There are no applications deployed.\n')
    return 0
  }
  for (const a of apps) process.stdout.write(`${a.running ? '*' : ' '} ${a.name}${a.release ? `  (${a.release})` : ''}${a.maintenance ? '  maintenance' : ''}\n`)
  return 0
}
