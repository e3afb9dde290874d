// postgres:create: a PostgreSQL database for the app, its own role and password, wired as DATABASE_URL and
// PG* in its config, then a redeploy (its release command can migrate):  ssh piku@host postgres:create myapp
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseNoArgs } = await import('../parse/database.js')
  const parsed = parseNoArgs('postgres:create', rest)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  const { createDatabase } = await import('../deploy/databases.js')
  await createDatabase(app, ctx.key)
  return 0
}
