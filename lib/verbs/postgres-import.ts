// postgres:import: replace the app's database contents with a custom-format dump read on stdin, in one
// transaction; a file that is no dump is refused before anything changes:
//   ssh piku@host postgres:import myapp < myapp.dump
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseNoArgs } = await import('../parse/database.js')
  const parsed = parseNoArgs('postgres:import', rest)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  if (process.stdin.isTTY) throw new UserError(`postgres:import reads a dump on stdin: ssh piku@host postgres:import ${app} < ${app}.dump`)
  const { importDatabase } = await import('../deploy/databases.js')
  const { withAppLock } = await import('../deploy/app-change.js')
  await withAppLock(app, 'postgres:import', () => importDatabase(app, process.stdin))
  log.step(`imported the dump into the database of "${app}"`)
  return 0
}
