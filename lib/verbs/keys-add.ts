// keys:add: authorize the public key on stdin as NAME with a role (admin, deploy, read) and, for deploy
// and read keys, the apps it may use:  ssh HOST keys:add ci deploy myapp < ci.pub
import { UserError, unwrap } from '../errors.js'
import { hostPaths } from '../state/paths.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const { parseKeyAddArgs } = await import('../parse/access.js')
  const { parseKeyLines } = await import('../parse/ssh-key.js')
  const { authorizeKey } = await import('../state/key-store.js')
  const req = unwrap(parseKeyAddArgs(args))
  const { readFileSync } = await import('node:fs')
  const lines = parseKeyLines(readFileSync(0, 'utf8'))
  if (lines.length !== 1) throw new UserError(`keys:add: expected one public key on stdin, got ${lines.length} (e.g. keys:add ${req.name} ${req.role} < key.pub)`)
  const rec = unwrap(await authorizeKey(hostPaths().root, req, lines[0]))
  log.outLine(`key "${rec.name}" added: role ${rec.role}${rec.apps.length ? `, apps ${rec.apps.join(', ')}` : ''} (${rec.fingerprint})`)
  return 0
}
