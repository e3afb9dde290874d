// keys: who may do what. Parse public keys and key records, the role table (read < deploy < admin),
// render restricted authorized_keys lines, and add or remove keys in authorized_keys and config/.keys.json.
import { createRequire } from 'node:module'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fail, ok, unwrap, type Result } from '../errors.js'
import { quoteForMessage, validateAppName, validateKeyName } from '../parse/app-name.js'
import { hostPaths, toolkitRoot } from './paths.js'

// node:crypto costs every verb start-up ~10 ms; only fingerprinting needs it, so it loads on first use
const requireBuiltin = createRequire(import.meta.url)
const crypto = (): typeof import('node:crypto') => requireBuiltin('node:crypto')

export interface PublicKey {
  type: string
  key: string // base64 body
  comment: string
}

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

/** Who is asking: a key's name, role and apps (the host's own `--local` admin is the key "local"). */
export interface KeyGrant {
  key: string
  role: Role
  keyApps: string[]
}

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

/** `keys` output: one line per key, aligned. */
export function renderKeyList(records: KeyRecord[]): string {
  if (!records.length) return ''
  const rows = records.map((r) => [r.name, r.role, r.fingerprint, r.role === 'admin' ? '*' : r.apps.join(',')])
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)))
  return rows.map((row) => row.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  ')).join('\n') + '\n'
}

const KEY_TYPES = new Set(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'])
const isKeyType = (t: string) => KEY_TYPES.has(t) || /^sk-[a-z0-9-]+@openssh\.com$/.test(t)

/** Parse `type base64 [comment]`; leading authorized_keys options (without spaces) are skipped. */
export function parsePublicKey(line: string): Result<PublicKey> {
  const words = line.trim().split(/\s+/)
  const at = words.findIndex(isKeyType)
  if (at < 0) return fail(`not an ssh public key (unknown key type): "${line.trim().slice(0, 40)}"`)
  const [type, key = ''] = words.slice(at, at + 2)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return fail(`${type} key: body is not base64`)
  // the body starts with its own type name, length-prefixed: a copy-paste error shows here
  const raw = Buffer.from(key, 'base64')
  const len = raw.length >= 4 ? raw.readUInt32BE(0) : -1
  if (len < 0 || raw.subarray(4, 4 + len).toString('latin1') !== type) return fail(`${type} key: body does not hold a ${type} key`)
  const comment = words.slice(at + 2).join(' ').replace(/[^\x20-\x7e]/g, '')
  return ok({ type, key, comment })
}

export function keyFingerprint(k: PublicKey): string {
  const digest = crypto().createHash('sha256').update(Buffer.from(k.key, 'base64')).digest('base64')
  return 'SHA256:' + digest.replace(/=+$/, '')
}

/** A key name from a comment (`alice@laptop` -> `alice-laptop`), else the fallback, unique among `taken`. */
export function planKeyName(comment: string, fallback: string, taken: Iterable<string>): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 64).replace(/[.-]+$/, '')
  const base = clean(comment) || clean(fallback) || 'key'
  const used = new Set(taken)
  let name = base
  for (let n = 2; used.has(name); n++) name = `${base.slice(0, 60)}-${n}`
  return name
}

/** The options every key gets: `restrict` (no port, agent or X11 forwarding, no ~/.ssh/rc), then the pty
 *  back, because `run` may want a terminal; piku-ssh refuses a pty to every other verb. */
export const KEY_OPTIONS = 'restrict,pty'

export function renderKeyLine(name: string, k: PublicKey, forcedCommand: string): string {
  if (!validateKeyName(name).ok) throw new Error(`invalid key name: ${name}`)
  if (!/^\/[A-Za-z0-9._/-]+$/.test(forcedCommand)) throw new Error(`invalid forced command: ${forcedCommand}`)
  const comment = k.comment ? ` ${k.comment}` : ''
  return `command="${forcedCommand} ${name}",${KEY_OPTIONS} ${k.type} ${k.key}${comment}`
}

export interface KeyLine {
  forcedCommand: string
  name: string
  key: PublicKey
}

/** One of our authorized_keys lines (`command="/path NAME",options type body comment`), or undefined. */
export function parseKeyLine(line: string): KeyLine | undefined {
  const m = /^command="(\/[A-Za-z0-9._/-]+) ([^"\s]+)",(\S+)\s+(.+)$/.exec(line.trim())
  if (!m || !validateKeyName(m[2]).ok) return undefined
  const k = parsePublicKey(m[4])
  return k.ok ? { forcedCommand: m[1], name: m[2], key: k.value } : undefined
}

/**
 * authorized_keys after a change: our lines (forced command `forcedCommand`) are rendered afresh (so an
 * upgrade brings every key to the current options), `remove` drops the lines of that key name, `add`
 * appends one; lines we did not write are kept as they are.
 */
export function renderAuthorizedKeys(
  text: string,
  forcedCommand: string,
  change: { add?: { name: string; key: PublicKey }; remove?: string } = {},
): string {
  const out: string[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const ours = parseKeyLine(line)
    if (ours && ours.forcedCommand === forcedCommand) {
      if (ours.name !== change.remove) out.push(renderKeyLine(ours.name, ours.key, forcedCommand))
    } else if (!(ours && ours.name === change.remove)) out.push(line)
  }
  if (change.add) out.push(renderKeyLine(change.add.name, change.add.key, forcedCommand))
  return out.length ? out.join('\n') + '\n' : ''
}

function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`
  writeFileSync(tmp, text, { mode })
  chmodSync(tmp, mode)
  renameSync(tmp, file)
}

const defaultForcedCommand = () => join(toolkitRoot(), 'bin', 'piku-ssh')

/** The key records; a missing file is an empty list, a damaged one an error (never "everyone is admin"). */
export function readKeyRecords(home: string): KeyRecord[] {
  const file = hostPaths(home).keysDb
  if (!existsSync(file)) return []
  return unwrap(parseKeyRecords(readFileSync(file, 'utf8')))
}

function writeKeyRecords(home: string, records: KeyRecord[]): void {
  const paths = hostPaths(home)
  mkdirSync(paths.config, { recursive: true, mode: 0o700 })
  writeAtomic(paths.keysDb, JSON.stringify(records, null, 2) + '\n', 0o600)
  writeAtomic(paths.keysFetch, renderFetchAccess(records), 0o600)
}

/**
 * Who may fetch which app, one line a key: `NAME *` (admin) or `NAME APP...` (every role may read its
 * apps). bin/piku-ssh reads it to hand `git-upload-pack` straight to git, without starting Node.
 */
export function renderFetchAccess(records: KeyRecord[]): string {
  return records.map((r) => [r.name, ...(r.role === 'admin' ? ['*'] : r.apps)].join(' ') + '\n').join('')
}

/** Write config/.keys.fetch from the key records (install.sh calls it, so older hosts get the file). */
export function writeFetchAccess(home: string): void {
  const paths = hostPaths(home)
  if (!existsSync(paths.keysDb)) return
  writeAtomic(paths.keysFetch, renderFetchAccess(readKeyRecords(home)), 0o600)
}

function readAuthorizedKeys(home: string): string {
  const file = hostPaths(home).authorizedKeys
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}

function writeAuthorizedKeys(home: string, text: string): void {
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 })
  chmodSync(join(home, '.ssh'), 0o700)
  writeAtomic(hostPaths(home).authorizedKeys, text, 0o600)
}

export interface AddedKey {
  name: string
  added: boolean // false: that key body was already authorized
}

/**
 * Authorize one public key line for `home`'s user under `name` (made unique) with `role`, as install.sh
 * and setup:ssh do: a key already there is left as it is (added: false). Our existing lines are
 * re-rendered with the current options.
 */
export function addKey(
  home: string,
  name: string,
  role: Role,
  pubkeyLine: string,
  forcedCommand = defaultForcedCommand(),
): Result<AddedKey> {
  const parsed = parsePublicKey(pubkeyLine)
  if (!parsed.ok) return parsed
  const k = parsed.value
  let records: KeyRecord[]
  try {
    records = readKeyRecords(home)
  } catch (e) {
    return fail((e as Error).message)
  }
  const fingerprint = keyFingerprint(k)
  const before = readAuthorizedKeys(home)
  const present = before.split('\n').some((l) => l.split(/\s+/).includes(k.key))
  const known = records.find((r) => r.fingerprint === fingerprint)
  const unique = known?.name ?? planKeyName(name, 'key', records.map((r) => r.name))
  if (!known && !present) writeKeyRecords(home, [...records, { name: unique, role, apps: [], fingerprint }])
  const after = renderAuthorizedKeys(before, forcedCommand, present ? {} : { add: { name: unique, key: k } })
  if (after !== before) writeAuthorizedKeys(home, after)
  if (present) return ok({ name: known?.name ?? name, added: false })
  return ok({ name: unique, added: true })
}

/** keys:add: authorize `pubkeyLine` as exactly `name` with `role` and `apps`; refused when the name or key exists. */
export function authorizeKey(
  home: string,
  req: { name: string; role: Role; apps: string[] },
  pubkeyLine: string,
  forcedCommand = defaultForcedCommand(),
): Result<KeyRecord> {
  const parsed = parsePublicKey(pubkeyLine)
  if (!parsed.ok) return parsed
  const rec: KeyRecord = { ...req, fingerprint: keyFingerprint(parsed.value) }
  const before = readAuthorizedKeys(home)
  if (before.split('\n').some((l) => l.split(/\s+/).includes(parsed.value.key)) && !readKeyRecords(home).some((r) => r.fingerprint === rec.fingerprint)) {
    return fail('that public key is already in authorized_keys (added by hand); remove that line first')
  }
  const next = planKeyAdd(readKeyRecords(home), rec)
  if (!next.ok) return next
  // the record first: a line without a record is refused by piku-ssh, never granted
  writeKeyRecords(home, next.value)
  writeAuthorizedKeys(home, renderAuthorizedKeys(before, forcedCommand, { add: { name: rec.name, key: parsed.value } }))
  return ok(rec)
}

/** keys:remove: drop the key's authorized_keys line(s), then its record; refused for the last admin key. */
export function removeKey(home: string, name: string, forcedCommand = defaultForcedCommand()): Result<KeyRecord> {
  const records = readKeyRecords(home)
  const next = planKeyRemove(records, name)
  if (!next.ok) return next
  // the line first: a record without a line grants nothing
  writeAuthorizedKeys(home, renderAuthorizedKeys(readAuthorizedKeys(home), forcedCommand, { remove: name }))
  writeKeyRecords(home, next.value)
  return ok(records.find((r) => r.name === name) as KeyRecord)
}

/** restore: give `app` back to the keys (found by fingerprint) a backup says had it; admin keys reach
 *  every app already. Returns the names of the keys that got it; keys not on this host are skipped. */
export function grantAppToKeys(home: string, app: string, fingerprints: string[]): string[] {
  const wanted = new Set(fingerprints)
  const records = readKeyRecords(home)
  const granted: string[] = []
  const next = records.map((r) => {
    if (!wanted.has(r.fingerprint) || r.role === 'admin' || r.apps.includes(app)) return r
    granted.push(r.name)
    return { ...r, apps: [...r.apps, app] }
  })
  if (granted.length) writeKeyRecords(home, next)
  return granted
}
