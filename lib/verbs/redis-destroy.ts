// redis:destroy: unset REDIS_URL, redeploy without the app's Redis, then remove its data.
//   ssh piku@host redis:destroy myapp --force
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseForceArgs } = await import('../parse/database.js')
  const force = parseForceArgs('redis:destroy', rest)
  if (!force.ok) throw new UserError(force.errors[0])
  if (!force.value) throw new UserError(`redis:destroy: this removes the Redis of "${app}" and all its data; run redis:destroy ${app} --force`)
  const { destroyRedis } = await import('../deploy/databases.js')
  await destroyRedis(app, ctx.key)
  return 0
}
