// postgres:destroy: unset the database variables (redeploy), then drop the app's database and role.
//   ssh piku@host postgres:destroy myapp --force
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseForceArgs } = await import('../parse/database.js')
  const force = parseForceArgs('postgres:destroy', rest)
  if (!force.ok) throw new UserError(force.errors[0])
  if (!force.value) throw new UserError(`postgres:destroy: this drops the database of "${app}" and all its data; run postgres:destroy ${app} --force`)
  const { destroyDatabase } = await import('../deploy/databases.js')
  await destroyDatabase(app, ctx.key)
  return 0
}
