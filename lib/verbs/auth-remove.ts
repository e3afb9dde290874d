// auth:remove: remove a basic-auth user; with the last one gone the site is open again.
import { UserError, unwrap } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, user, ...rest] = args
  if (user === undefined || rest.length > 0) throw new UserError('usage: auth:remove APP USER')
  const { validateAuthUser } = await import('../parse/htpasswd.js')
  const name = unwrap(validateAuthUser(user))
  const { readAuthUsers } = await import('../state/basic-auth.js')
  const { withAppLock } = await import('../deploy/app-change.js')
  const { changeAuthUsers } = await import('../deploy/site-state.js')
  await withAppLock(app, 'auth:remove', async () => {
    if (!readAuthUsers(app).some((u) => u.user === name)) throw new UserError(`${app} has no basic-auth user "${name}" (auth ${app} lists them)`)
    const r = await changeAuthUsers(app, (users) => users.filter((u) => u.user !== name))
    log.step(r.users.length ? `removed user ${name} from ${app}; ${r.users.length} user(s) left` : `removed user ${name}; ${app} asks for no password any more`)
  })
  return 0
}
