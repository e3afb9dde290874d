// keys: list the authorized keys: name, role, fingerprint and apps (`--json` for one JSON document).
import { UserError } from '../errors.js'
import { hostPaths } from '../state/paths.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const json = args[0] === '--json'
  if (args.length > (json ? 1 : 0)) throw new UserError(`keys: unexpected argument ${JSON.stringify(args[json ? 1 : 0].slice(0, 40))}; usage: keys [--json]`)
  const { readKeyRecords } = await import('../state/key-store.js')
  const { renderKeyList } = await import('../parse/access.js')
  const records = readKeyRecords(hostPaths().root)
  if (json) log.json({ keys: records })
  else log.out(renderKeyList(records))
  return 0
}
