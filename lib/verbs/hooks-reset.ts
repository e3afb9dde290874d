// hooks:reset: put the stock version of one of an app's hooks or templates back (or of every copy that is
// not stock), keeping the edited copy as FILE.edited-STAMP so nothing is lost.
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  if (rest.length > 1) throw new UserError('usage: hooks:reset APP [FILE]  (FILE as "hooks APP" lists it, e.g. templates/nginx/app.conf)')
  const { readCopies, resetCopies } = await import('../state/stock.js')
  const path = rest[0]?.replace(/^\.\//, '')
  if (path !== undefined && !readCopies(app).some((c) => c.path === path)) {
    throw new UserError(`hooks:reset: ${JSON.stringify(path.slice(0, 80))} is not a hook or template of ${app}; "hooks ${app}" lists them`)
  }
  const lines = resetCopies(app, path)
  log.out(lines.length ? lines.join('\n') + '\n' : `every hook and template of ${app} is already the stock version\n`)
  return 0
}
