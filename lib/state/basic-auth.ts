// basic-auth: an app's basic-auth users in auth/APP.htpasswd. nginx's workers (www-data) must read it and
// no one else: every piku-hooks user has www-data as primary group, so group read would let the other users
// on the host read the hashes too. The file is 0600 with an ACL entry for www-data alone (setfacl, from the
// acl package install.sh installs); without setfacl it falls back to 0640 and says so.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { writeFileAtomicPrepared } from '../host/atomic-file.js'
import { appPaths, hostPaths } from './paths.js'
import { parseHtpasswd, renderHtpasswd, type AuthUser } from '../parse/htpasswd.js'
import { UserError } from '../errors.js'

export const NGINX_USER = 'www-data'

export function readAuthUsers(app: string): AuthUser[] {
  const file = appPaths(app).authFile
  if (!existsSync(file)) return []
  const parsed = parseHtpasswd(readFileSync(file, 'utf8'), file)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  return parsed.value
}

/** A SHA-512 crypt hash ($6$) made by openssl, the password fed on stdin (never in argv). */
export async function hashPassword(password: string): Promise<string> {
  const { runCapture } = await import('../host/system.js')
  const r = await runCapture('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n`, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } })
  const hash = r.stdout.trim()
  if (r.code !== 0 || !hash.startsWith('$6$')) throw new UserError(`openssl could not hash the password: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`)
  return hash
}

/**
 * Write the users file (write, restrict, rename), or remove it when no user is left. Returns a warning
 * when the file had to be left readable by the www-data group.
 */
export async function writeAuthUsers(app: string, users: AuthUser[]): Promise<string | undefined> {
  const file = appPaths(app).authFile
  if (users.length === 0) {
    rmSync(file, { force: true })
    return undefined
  }
  const dir = hostPaths().auth
  mkdirSync(dir, { recursive: true, mode: 0o710 })
  chmodSync(dir, 0o710) // nginx's workers pass through; no one lists it
  let warning: string | undefined
  await writeFileAtomicPrepared(file, renderHtpasswd(users), 0o600, async (tmp) => {
    const { runCapture } = await import('../host/system.js')
    const r = await runCapture('setfacl', ['-m', `u:${NGINX_USER}:r`, '--', tmp], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }).catch(() => ({ code: 127, stdout: '', stderr: 'setfacl not found' }))
    if (r.code !== 0) {
      chmodSync(tmp, 0o640)
      warning = `${r.stderr.trim().split('\n')[0] || 'setfacl failed'}: ${file} is readable by the ${NGINX_USER} group, which every piku-hooks user on this host is in (install the acl package to keep it to nginx alone)`
    }
  })
  return warning
}
