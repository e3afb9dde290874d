// auth: the app's basic-auth users, one a line (`--json`: one document); never a hash.
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError('usage: auth APP [--json]')
  const { readAuthUsers } = await import('../state/basic-auth.js')
  const users = readAuthUsers(app).map((u) => u.user)
  if (json) log.json({ app, users })
  else if (users.length) log.outLine(users.join('\n'))
  else log.note(`${app} asks for no password (auth:add ${app} USER < PASSWORD adds a user)`)
  return 0
}
