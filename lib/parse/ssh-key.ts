// ssh-key: public key lines and our authorized_keys lines. Parse `type base64 comment`, fingerprint it as
// ssh-keygen does, name it, render the restricted forced-command line, and re-render authorized_keys.
import { createRequire } from 'node:module'
import { fail, ok, type Result } from '../errors.js'
import { validateKeyName } from './app-name.js'

// node:crypto costs every verb start-up ~10 ms; only fingerprinting needs it, so it loads on first use
const requireBuiltin = createRequire(import.meta.url)
const crypto = (): typeof import('node:crypto') => requireBuiltin('node:crypto')

export interface PublicKey {
  type: string
  key: string // base64 body
  comment: string
}

/** The key lines of a public key file: blank lines and '#' comments skipped. */
export function parseKeyLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
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

/** Whether authorized_keys `text` already holds the key body `k` on any line (ours or an admin's). */
export function holdsKeyBody(text: string, k: PublicKey): boolean {
  return text.split('\n').some((l) => l.split(/\s+/).includes(k.key))
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
