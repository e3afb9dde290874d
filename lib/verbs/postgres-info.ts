// postgres:info: the app's database, role, size and connections (never the password).
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseNoArgs, renderDatabaseInfo } = await import('../parse/database.js')
  const parsed = parseNoArgs('postgres:info', rest, true)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  const { readDatabaseInfo } = await import('../deploy/databases.js')
  const info = await readDatabaseInfo(app)
  if (!info) throw new UserError(`postgres:info: "${app}" has no database (postgres:create ${app} makes one)`)
  if (parsed.value.json) log.json({ app, ...info })
  else log.outLine(renderDatabaseInfo(info))
  return 0
}
