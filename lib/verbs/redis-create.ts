// redis:create: a Redis of the app's own, run as one of its instances (kind `redis`: its sandbox, its memory
// cap), data under DATA_ROOT/redis (append-only, fsync every second), a password and a loopback port, wired as
// REDIS_URL, then a redeploy:  ssh piku@host redis:create myapp
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseNoArgs } = await import('../parse/database.js')
  const parsed = parseNoArgs('redis:create', rest)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  const { createRedis } = await import('../deploy/databases.js')
  await createRedis(app, ctx.key)
  return 0
}
