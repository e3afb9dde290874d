// postgres:export: the app's database in pg_dump's custom format on stdout:
//   ssh piku@host postgres:export myapp > myapp.dump
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseNoArgs } = await import('../parse/database.js')
  const parsed = parseNoArgs('postgres:export', rest)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  if (process.stdout.isTTY) throw new UserError(`postgres:export writes a binary dump to stdout: redirect it, e.g. ssh piku@host postgres:export ${app} > ${app}.dump`)
  const { exportDatabase } = await import('../deploy/databases.js')
  await exportDatabase(app)
  return 0
}
