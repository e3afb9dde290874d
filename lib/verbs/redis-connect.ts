// redis:connect: redis-cli on the app's Redis: commands on stdin without a terminal, interactive with
// `ssh -t piku@host redis:connect myapp`. Exits with redis-cli's status.
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseNoArgs } = await import('../parse/database.js')
  const parsed = parseNoArgs('redis:connect', rest)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  const { requireRedis, runRedisCli } = await import('../deploy/databases.js')
  const record = requireRedis('redis:connect', app)
  return (await runRedisCli(app, record, ['--no-auth-warning'], false)).code
}
