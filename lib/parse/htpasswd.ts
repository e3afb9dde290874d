// htpasswd: the basic-auth users file nginx's auth_basic_user_file reads, `user:hash` a line (pure).
// Only hashes are ever stored; a password is read from stdin, checked here, and hashed elsewhere.
import { type Result, ok, fail } from '../errors.js'

export interface AuthUser {
  user: string
  hash: string // crypt(3) form, e.g. $6$salt$... (SHA-512)
}

const USER = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/
const HASH = /^\$(6|5|y|apr1)\$[./A-Za-z0-9$=]{8,200}$|^\{SSHA\}[A-Za-z0-9+/=]{20,200}$/

export function validateAuthUser(user: string): Result<string> {
  if (USER.test(user)) return ok(user)
  return fail(`user ${JSON.stringify(user.slice(0, 70))}: use 1 to 64 letters, digits, . _ @ -, starting with a letter or digit`)
}

/**
 * The password as typed on stdin: one line (one trailing newline is dropped), not empty, at most 1024
 * characters, no control characters (so it cannot have been two lines or a pasted file).
 */
export function parsePasswordInput(input: string): Result<string> {
  const pw = input.replace(/\r?\n$/, '')
  if (pw === '') return fail('no password on stdin: pipe it in, e.g. printf %s "$PASSWORD" | ssh HOST auth:add APP USER (never as an argument)')
  if (/[\x00-\x1f\x7f]/.test(pw)) return fail('the password on stdin must be one line without control characters')
  if (pw.length > 1024) return fail('the password on stdin is longer than 1024 characters')
  return ok(pw)
}

export function parseHtpasswd(text: string, file: string): Result<AuthUser[]> {
  const out: AuthUser[] = []
  const errors: string[] = []
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return
    const colon = line.indexOf(':')
    const user = line.slice(0, colon)
    const hash = line.slice(colon + 1)
    if (colon < 0 || !USER.test(user) || !HASH.test(hash)) errors.push(`${file}:${i + 1}: not a "user:hash" line`)
    else out.push({ user, hash })
  })
  if (errors.length) return fail(...errors)
  return ok(out)
}

export function renderHtpasswd(users: AuthUser[]): string {
  for (const u of users) if (!USER.test(u.user) || !HASH.test(u.hash)) throw new Error(`unsafe htpasswd entry for ${u.user}`)
  return users.map((u) => `${u.user}:${u.hash}\n`).join('')
}

/** Add or replace `user`; the list stays sorted by name. */
export function setAuthUser(users: AuthUser[], entry: AuthUser): AuthUser[] {
  return [...users.filter((u) => u.user !== entry.user), entry].sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0))
}
