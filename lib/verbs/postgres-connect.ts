// postgres:connect: psql on the app's database as its own role: SQL on stdin without a terminal,
// an interactive session with `ssh -t piku@host postgres:connect myapp`. Exits with psql's status.
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseNoArgs } = await import('../parse/database.js')
  const parsed = parseNoArgs('postgres:connect', rest)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  const { connectDatabase } = await import('../deploy/databases.js')
  return connectDatabase(app)
}
