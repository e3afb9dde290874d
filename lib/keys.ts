// keys: parse public keys, render restricted authorized_keys lines, and add a key to a user's
// authorized_keys and key list (config/.keys.json) without duplicating it.
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fail, ok, type Result } from './errors.js'
import { hostPaths, toolkitRoot } from './paths.js'

export interface PublicKey {
  type: string
  key: string // base64 body
  comment: string
}

export interface KeyRecord {
  name: string
  role: string // 'admin' may use every app; other roles only `apps`
  apps: string[]
  fingerprint: string // SHA256:... as ssh-keygen -l prints it
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
  const digest = createHash('sha256').update(Buffer.from(k.key, 'base64')).digest('base64')
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

export function renderKeyLine(name: string, k: PublicKey, forcedCommand: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new Error(`invalid key name: ${name}`)
  if (!/^\/[A-Za-z0-9._/-]+$/.test(forcedCommand)) throw new Error(`invalid forced command: ${forcedCommand}`)
  const comment = k.comment ? ` ${k.comment}` : ''
  return `command="${forcedCommand} ${name}",restrict ${k.type} ${k.key}${comment}`
}

function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(tmp, text, { mode })
  chmodSync(tmp, mode)
  renameSync(tmp, file)
}

export function readKeyRecords(home: string): KeyRecord[] {
  const file = hostPaths(home).keysDb
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KeyRecord[]) : []
}

export interface AddedKey {
  name: string
  added: boolean // false: that key body was already authorized
}

/** Authorize one public key line for `home`'s user under `name` (made unique) with `role`. */
export function addKey(
  home: string,
  name: string,
  role: string,
  pubkeyLine: string,
  forcedCommand = join(toolkitRoot(), 'bin', 'piku-ssh'),
): Result<AddedKey> {
  const parsed = parsePublicKey(pubkeyLine)
  if (!parsed.ok) return parsed
  const k = parsed.value
  const paths = hostPaths(home)
  const records = readKeyRecords(home)
  const fingerprint = keyFingerprint(k)
  const lines = existsSync(paths.authorizedKeys) ? readFileSync(paths.authorizedKeys, 'utf8').split('\n').filter((l) => l.trim()) : []
  const present = lines.some((l) => l.split(/\s+/).includes(k.key))
  const known = records.find((r) => r.fingerprint === fingerprint)
  if (present) return ok({ name: known?.name ?? name, added: false })

  const unique = known?.name ?? planKeyName(name, 'key', records.map((r) => r.name))
  lines.push(renderKeyLine(unique, k, forcedCommand))
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 })
  chmodSync(join(home, '.ssh'), 0o700)
  writeAtomic(paths.authorizedKeys, lines.join('\n') + '\n', 0o600)
  if (!known) {
    records.push({ name: unique, role, apps: [], fingerprint })
    mkdirSync(paths.config, { recursive: true, mode: 0o700 })
    writeAtomic(paths.keysDb, JSON.stringify(records, null, 2) + '\n', 0o600)
  }
  return ok({ name: unique, added: true })
}
