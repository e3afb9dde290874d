// restore: recreate an app from a `backup` archive read on stdin, then deploy it:
//   ssh piku@host restore myapp [--force] < myapp.tar.gz
// An existing app is only replaced with --force; a corrupt or foreign archive changes nothing.
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export function parseRestoreArgs(args: string[]): { app: string; force: boolean } {
  const force = args.includes('--force')
  const rest = args.filter((a) => a !== '--force')
  if (rest.length !== 1 || rest[0].startsWith('-')) throw new UserError('usage: restore APP [--force] < APP.tar.gz')
  return { app: rest[0], force }
}

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const { app: name, force } = parseRestoreArgs(args)
  const { validateAppName } = await import('../parse/app-name.js')
  const valid = validateAppName(name)
  if (!valid.ok) throw new UserError(valid.errors[0])
  if (process.stdin.isTTY) throw new UserError('restore reads a backup archive on stdin: ssh piku@host restore APP < APP.tar.gz')
  const { restoreApp } = await import('../deploy/restore.js')
  await restoreApp({ app: valid.value, force, key: ctx.key, input: process.stdin })
  return 0
}
