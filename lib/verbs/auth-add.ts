// auth:add: add (or change) a basic-auth user; the password is read from stdin, never an argument (it
// would show in process lists and the audit log):  printf %s "$PW" | ssh HOST auth:add APP USER
import { readFileSync } from 'node:fs'
import { UserError, unwrap } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, user, ...rest] = args
  if (user === undefined || rest.length > 0) throw new UserError('usage: auth:add APP USER < PASSWORD (the password on stdin, never as an argument)')
  const { validateAuthUser, parsePasswordInput, setAuthUser } = await import('../parse/htpasswd.js')
  const name = unwrap(validateAuthUser(user))
  const password = unwrap(parsePasswordInput(readFileSync(0, 'utf8')))
  const { hashPassword } = await import('../state/basic-auth.js')
  const hash = await hashPassword(password)
  const { withAppLock } = await import('../deploy/app-change.js')
  const { changeAuthUsers } = await import('../deploy/site-state.js')
  await withAppLock(app, 'auth:add', async () => {
    let existed = false
    const r = await changeAuthUsers(app, (users) => {
      existed = users.some((u) => u.user === name)
      return setAuthUser(users, { user: name, hash })
    })
    if (r.warning) log.warn(r.warning)
    log.step(`${existed ? 'changed the password of' : 'added'} user ${name} for ${app}${r.live ? '' : ' (applies when it next starts)'}; ${r.users.length} user(s) may sign in`)
  })
  return 0
}
