// key-store: the one writer of config/.keys.json, config/.keys.fetch and ~/.ssh/authorized_keys. Every
// write takes the keys lock itself (run/keys.lock), so setup:ssh, keys:add, keys:remove, restore and
// install.sh never lose each other's changes.
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fail, ok, unwrap, type Result } from '../errors.js'
import { planAppGrant, planKeyAdd, planKeyRemove, parseKeyRecords, renderFetchAccess, renderKeyRecords, type KeyRecord, type Role } from '../parse/access.js'
import { holdsKeyBody, keyFingerprint, parsePublicKey, planKeyName, renderAuthorizedKeys } from '../parse/ssh-key.js'
import { writeFileAtomic } from '../host/atomic-file.js'
import { acquireLock, releaseLock } from './lock.js'
import { hostPaths, toolkitRoot } from './paths.js'

const defaultForcedCommand = () => join(toolkitRoot(), 'bin', 'piku-ssh')

/** The key records; a missing file is an empty list, a damaged one an error (never "everyone is admin"). */
export function readKeyRecords(home: string): KeyRecord[] {
  const file = hostPaths(home).keysDb
  if (!existsSync(file)) return []
  return unwrap(parseKeyRecords(readFileSync(file, 'utf8')))
}

/** Run `fn` holding the keys lock of `home` (waits up to 30 s for another writer). */
async function withKeysLock<T>(home: string, what: string, fn: () => T): Promise<T> {
  const lock = hostPaths(home).keysLock
  await acquireLock(lock, process.pid, what, 30_000)
  try {
    return fn()
  } finally {
    releaseLock(lock, process.pid)
  }
}

function writeKeyRecords(home: string, records: KeyRecord[]): void {
  const paths = hostPaths(home)
  mkdirSync(paths.config, { recursive: true, mode: 0o700 })
  writeFileAtomic(paths.keysDb, renderKeyRecords(records), 0o600)
  writeFileAtomic(paths.keysFetch, renderFetchAccess(records), 0o600)
}

function readAuthorizedKeys(home: string): string {
  const file = hostPaths(home).authorizedKeys
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}

function writeAuthorizedKeys(home: string, text: string): void {
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 })
  chmodSync(join(home, '.ssh'), 0o700)
  writeFileAtomic(hostPaths(home).authorizedKeys, text, 0o600)
}

/** Write config/.keys.fetch from the key records (install.sh does, so older hosts get the file). */
export function writeFetchAccess(home: string): Promise<void> {
  return withKeysLock(home, 'key update', () => {
    const paths = hostPaths(home)
    if (!existsSync(paths.keysDb)) return
    writeFileAtomic(paths.keysFetch, renderFetchAccess(readKeyRecords(home)), 0o600)
  })
}

export interface AddedKey {
  name: string
  added: boolean // false: that key body was already authorized
}

/**
 * Authorize one public key line for `home`'s user with `role`, named from `name` (made unique), as
 * install.sh and setup:ssh do: a key already there is left as it is (added: false). Our existing lines
 * are re-rendered with the current options.
 */
export function addKey(home: string, name: string, role: Role, pubkeyLine: string, forcedCommand = defaultForcedCommand()): Promise<Result<AddedKey>> {
  const parsed = parsePublicKey(pubkeyLine)
  if (!parsed.ok) return Promise.resolve(parsed)
  const k = parsed.value
  return withKeysLock(home, 'key update', () => {
    let records: KeyRecord[]
    try {
      records = readKeyRecords(home)
    } catch (e) {
      return fail((e as Error).message)
    }
    const fingerprint = keyFingerprint(k)
    const before = readAuthorizedKeys(home)
    const present = holdsKeyBody(before, k)
    const known = records.find((r) => r.fingerprint === fingerprint)
    const unique = known?.name ?? planKeyName(name, 'key', records.map((r) => r.name))
    if (!known && !present) writeKeyRecords(home, [...records, { name: unique, role, apps: [], fingerprint }])
    const after = renderAuthorizedKeys(before, forcedCommand, present ? {} : { add: { name: unique, key: k } })
    if (after !== before) writeAuthorizedKeys(home, after)
    if (present) return ok({ name: known?.name ?? name, added: false })
    return ok({ name: unique, added: true })
  })
}

/** keys:add: authorize `pubkeyLine` as exactly `name` with `role` and `apps`; refused when the name or key exists. */
export function authorizeKey(home: string, req: { name: string; role: Role; apps: string[] }, pubkeyLine: string, forcedCommand = defaultForcedCommand()): Promise<Result<KeyRecord>> {
  const parsed = parsePublicKey(pubkeyLine)
  if (!parsed.ok) return Promise.resolve(parsed)
  return withKeysLock(home, 'keys:add', () => {
    const rec: KeyRecord = { ...req, fingerprint: keyFingerprint(parsed.value) }
    const before = readAuthorizedKeys(home)
    const records = readKeyRecords(home)
    if (holdsKeyBody(before, parsed.value) && !records.some((r) => r.fingerprint === rec.fingerprint)) {
      return fail('that public key is already in authorized_keys (added by hand); remove that line first')
    }
    const next = planKeyAdd(records, rec)
    if (!next.ok) return next
    // the record first: a line without a record is refused by piku-ssh, never granted
    writeKeyRecords(home, next.value)
    writeAuthorizedKeys(home, renderAuthorizedKeys(before, forcedCommand, { add: { name: rec.name, key: parsed.value } }))
    return ok(rec)
  })
}

/** keys:remove: drop the key's authorized_keys line(s), then its record; refused for the last admin key. */
export function removeKey(home: string, name: string, forcedCommand = defaultForcedCommand()): Promise<Result<KeyRecord>> {
  return withKeysLock(home, 'keys:remove', () => {
    const records = readKeyRecords(home)
    const next = planKeyRemove(records, name)
    if (!next.ok) return next
    // the line first: a record without a line grants nothing
    writeAuthorizedKeys(home, renderAuthorizedKeys(readAuthorizedKeys(home), forcedCommand, { remove: name }))
    writeKeyRecords(home, next.value)
    return ok(records.find((r) => r.name === name) as KeyRecord)
  })
}

/** restore: give `app` back to the keys (found by fingerprint) a backup says had it; admin keys reach
 *  every app already. Returns the names of the keys that got it; keys not on this host are skipped. */
export function grantAppToKeys(home: string, app: string, fingerprints: string[]): Promise<string[]> {
  return withKeysLock(home, 'restore', () => {
    const { records, granted } = planAppGrant(readKeyRecords(home), app, fingerprints)
    if (granted.length) writeKeyRecords(home, records)
    return granted
  })
}

/** Chown every key file to `owner` (install.sh runs as root for the app user). */
export function chownKeyFiles(home: string, owner: { uid: number; gid: number }): void {
  const paths = hostPaths(home)
  for (const f of [join(home, '.ssh'), paths.authorizedKeys, paths.config, paths.keysDb, paths.keysFetch]) {
    if (existsSync(f)) chownSync(f, owner.uid, owner.gid)
  }
}
