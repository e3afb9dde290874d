// keys:remove: remove a key by name from authorized_keys and the key list; the last admin key stays.
import { unwrap, UserError } from '../errors.js'
import { validateKeyName } from '../parse/app-name.js'
import { hostPaths } from '../state/paths.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UserError('usage: keys:remove NAME (see "keys" for the names)')
  const name = unwrap(validateKeyName(args[0]))
  const { removeKey } = await import('../state/key-store.js')
  const rec = unwrap(await removeKey(hostPaths().root, name))
  log.outLine(`key "${rec.name}" removed (${rec.role}, ${rec.fingerprint})`)
  return 0
}
