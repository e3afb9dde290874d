// access: who may do what. Roles (read < deploy < admin), the key records of config/.keys.json, the grant of
// a key, and the plans of keys:add, keys:remove and restore's grants. Pure: the key store does the I/O.
import { fail, ok, type Result } from '../errors.js'
import { quoteForMessage, validateAppName, validateKeyName } from './app-name.js'

/** What a key may do: `read` < `deploy` < `admin`. */
export type Role = 'admin' | 'deploy' | 'read'
export const ROLES: readonly Role[] = ['read', 'deploy', 'admin']
const RANK: Record<Role, number> = { read: 0, deploy: 1, admin: 2 }

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s)
}

export interface KeyRecord {
  name: string
  role: Role // 'admin' may use every app; other roles only `apps`
  apps: string[]
  fingerprint: string // SHA256:... as ssh-keygen -l prints it
}

/** Who is asking: a key's name, role and apps (the host's own `--local` admin is the key "local").
 *  It is also what every verb is given (its VerbContext). */
export interface KeyGrant {
  key: string // the key's name from authorized_keys, or 'local' for the host's own admin
  role: Role
  keyApps: string[] // apps a non-admin key may use
}

/** The grant of the host's own admin (`piku-ssh --local`). */
export const LOCAL_GRANT: KeyGrant = { key: 'local', role: 'admin', keyApps: [] }

/**
 * Whether `grant` may do `what` (a verb) needing role `need`, on `app` when given: undefined when it
 * may, else the one-line refusal naming the role that is missing.
 */
export function checkAccess(grant: KeyGrant, need: Role, what: string, app?: string): string | undefined {
  if (RANK[grant.role] < RANK[need]) return `key "${grant.key}" has role ${grant.role}; ${what} needs role ${need}`
  if (app !== undefined && grant.role !== 'admin' && !grant.keyApps.includes(app)) {
    return `key "${grant.key}" (role ${grant.role}) may not use app "${app}"; an admin can grant it with keys:add`
  }
  return undefined
}

/** Whether `grant` may see `app` in lists (apps, certs). */
export function mayUseApp(grant: KeyGrant, app: string): boolean {
  return grant.role === 'admin' || grant.keyApps.includes(app)
}

/** The records of config/.keys.json, checked: a record that is not well formed is an error, never a default. */
export function parseKeyRecords(text: string): Result<KeyRecord[]> {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    return fail(`.keys.json: not JSON (${(e as Error).message}); restore it from a backup or re-run install.sh`)
  }
  if (!Array.isArray(data)) return fail('.keys.json: expected a list of keys')
  const records: KeyRecord[] = []
  for (const [i, r] of data.entries()) {
    const x = r as Partial<KeyRecord>
    const where = `.keys.json: entry ${i + 1}`
    if (typeof x?.name !== 'string' || !validateKeyName(x.name).ok) return fail(`${where}: bad key name`)
    if (typeof x.role !== 'string' || !isRole(x.role)) return fail(`${where} (${x.name}): role must be one of ${ROLES.join(', ')}`)
    if (!Array.isArray(x.apps) || x.apps.some((a) => typeof a !== 'string' || !validateAppName(a).ok)) return fail(`${where} (${x.name}): bad app list`)
    if (typeof x.fingerprint !== 'string') return fail(`${where} (${x.name}): no fingerprint`)
    records.push({ name: x.name, role: x.role, apps: [...x.apps], fingerprint: x.fingerprint })
  }
  return ok(records)
}

/** config/.keys.json's text for `records`. */
export function renderKeyRecords(records: KeyRecord[]): string {
  return JSON.stringify(records, null, 2) + '\n'
}

/** The grant of key `name` from the records; a key with no record gets nothing (fail closed). */
export function planGrant(records: KeyRecord[], name: string): Result<KeyGrant> {
  const r = records.find((x) => x.name === name)
  if (!r) return fail(`key "${name}" is not in the key list; ask an admin to add it with keys:add`)
  return ok({ key: r.name, role: r.role, keyApps: r.apps })
}

/** `keys:add` arguments: NAME ROLE [APP...]; admin keys take no apps, deploy and read keys need at least one. */
export function parseKeyAddArgs(args: string[]): Result<{ name: string; role: Role; apps: string[] }> {
  const usage = 'usage: keys:add NAME admin|deploy|read [APP...] < KEY.pub'
  const [name, role, ...apps] = args
  if (name === undefined || role === undefined) return fail(usage)
  const n = validateKeyName(name)
  if (!n.ok) return n
  if (!isRole(role)) return fail(`role ${quoteForMessage(role)}: use one of ${ROLES.join(', ')} (${usage})`)
  for (const a of apps) {
    const v = validateAppName(a)
    if (!v.ok) return v
  }
  if (role === 'admin' && apps.length) return fail('an admin key may use every app: give no app names')
  if (role !== 'admin' && apps.length === 0) return fail(`a ${role} key needs the apps it may use: keys:add ${name} ${role} APP...`)
  return ok({ name, role, apps: [...new Set(apps)] })
}

/** The records after adding `rec`: refused when its name or its key is already there. */
export function planKeyAdd(records: KeyRecord[], rec: KeyRecord): Result<KeyRecord[]> {
  const sameKey = records.find((r) => r.fingerprint === rec.fingerprint)
  if (sameKey) return fail(`that public key is already authorized as "${sameKey.name}"; remove it first with keys:remove ${sameKey.name}`)
  if (records.some((r) => r.name === rec.name)) return fail(`a key named "${rec.name}" exists; pick another name or keys:remove it first`)
  return ok([...records, rec])
}

/** The records after removing `name`: refused when there is no such key or it is the last admin key. */
export function planKeyRemove(records: KeyRecord[], name: string): Result<KeyRecord[]> {
  const target = records.find((r) => r.name === name)
  if (!target) return fail(`no key named "${name}"; see "keys" for the list`)
  const left = records.filter((r) => r.name !== name)
  if (target.role === 'admin' && !left.some((r) => r.role === 'admin')) {
    return fail(`"${name}" is the last admin key; add another admin key first (keys:add NAME admin < KEY.pub)`)
  }
  return ok(left)
}

/** restore: the records after giving `app` to the non-admin keys with one of `fingerprints`, and their names. */
export function planAppGrant(records: KeyRecord[], app: string, fingerprints: string[]): { records: KeyRecord[]; granted: string[] } {
  const wanted = new Set(fingerprints)
  const granted: string[] = []
  const next = records.map((r) => {
    if (!wanted.has(r.fingerprint) || r.role === 'admin' || r.apps.includes(app)) return r
    granted.push(r.name)
    return { ...r, apps: [...r.apps, app] }
  })
  return { records: next, granted }
}

/** `keys` output: one line per key, aligned. */
export function renderKeyList(records: KeyRecord[]): string {
  if (!records.length) return ''
  const rows = records.map((r) => [r.name, r.role, r.fingerprint, r.role === 'admin' ? '*' : r.apps.join(',')])
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)))
  return rows.map((row) => row.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  ')).join('\n') + '\n'
}

/**
 * Who may fetch which app, one line a key: `NAME *` (admin) or `NAME APP...` (every role may read its
 * apps). bin/piku-ssh reads it to hand `git-upload-pack` straight to git, without starting Node.
 */
export function renderFetchAccess(records: KeyRecord[]): string {
  return records.map((r) => [r.name, ...(r.role === 'admin' ? ['*'] : r.apps)].join(' ') + '\n').join('')
}
