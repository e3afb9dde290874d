// setup:ssh: authorize the public key(s) read from stdin as admin keys; prints each key's name.
import { hostPaths } from '../state/paths.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  // piku's form is `setup:ssh -` (stdin); a file name would name a file on the server, which the client cannot mean
  if (args.length > 1 || (args.length === 1 && args[0] !== '-')) throw new UserError('usage: setup:ssh < KEY.pub  (the public key on stdin)')
  const { readFileSync } = await import('node:fs')
  const { parseKeyLines, parsePublicKey } = await import('../parse/ssh-key.js')
  const { addKey } = await import('../state/key-store.js')
  const lines = parseKeyLines(readFileSync(0, 'utf8'))
  if (lines.length === 0) throw new UserError('setup:ssh: no public key on stdin (e.g. ssh HOST setup:ssh < ~/.ssh/id_ed25519.pub)')
  // check every line first, so a bad second key adds nothing
  for (const [i, line] of lines.entries()) {
    const k = parsePublicKey(line)
    if (!k.ok) throw new UserError(`setup:ssh: line ${i + 1}: ${k.errors[0]}`)
  }
  const home = hostPaths().root
  for (const line of lines) {
    const k = parsePublicKey(line)
    const added = await addKey(home, k.ok ? k.value.comment : '', 'admin', line)
    if (!added.ok) throw new UserError(`setup:ssh: ${added.errors[0]}`)
    if (!added.value.added) log.info(`key "${added.value.name}" was already authorized`)
    log.outLine(added.value.name)
  }
  return 0
}
