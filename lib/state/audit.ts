// audit: an append-only record of who changed what (push, deploy, rollback, config, scale, stop, destroy,
// keys): one JSON line per action in logs/.audit.log (0600), rotated to one .old file at 1 MiB. Which verbs
// are audited, and with what detail, is declared in the verb table (lib/verbs/index.ts).
import { appendFileSync, chmodSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { hostPaths } from './paths.js'
import * as log from '../log.js'
import { isErrno } from '../errors.js'

export const AUDIT_MAX_BYTES = 1024 * 1024

export interface AuditEntry {
  time: string // ISO 8601
  key: string // the key's name, or "local" for piku-ssh --local on the host
  action: string // the verb: push, deploy, config:set, keys:add, ...
  app?: string
  detail?: string // what, never a secret: config keys without their values
  outcome: 'ok' | 'refused' | 'failed'
  message?: string // why it was refused or failed (first line)
}

const MAX_FIELD = 500

/** One audit line: control characters cannot split it, long fields are cut. */
export function renderAuditLine(e: AuditEntry): string {
  const clip = (s: string | undefined) => (s === undefined ? undefined : s.length > MAX_FIELD ? s.slice(0, MAX_FIELD) + '…' : s)
  const line = { ...e, detail: clip(e.detail), message: clip(e.message?.split('\n')[0]) }
  return JSON.stringify(line) + '\n' // JSON.stringify escapes every control character, newlines included
}

/** Whether a log of `size` bytes must be rotated before `adding` more. */
export function needsRotation(size: number, adding: number, max = AUDIT_MAX_BYTES): boolean {
  return size > 0 && size + adding > max
}

/** Append one entry; an audit failure is reported on stderr and never turns a done action into a failure. */
export function recordAudit(entry: Omit<AuditEntry, 'time'> & { time?: string }, root?: string): void {
  const file = hostPaths(root).auditLog
  const line = renderAuditLine({ time: entry.time ?? new Date().toISOString(), ...entry } as AuditEntry)
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    let size = 0
    try {
      size = statSync(file).size
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e // the first line
    }
    if (needsRotation(size, Buffer.byteLength(line))) renameSync(file, `${file}.old`)
    appendFileSync(file, line, { mode: 0o600 })
    chmodSync(file, 0o600)
  } catch (e) {
    log.warn(`could not write the audit log ${file}: ${(e as Error).message}`)
  }
}

/** A refusal or failure message with the value of every `KEY=VALUE` argument blanked out (a bad key's
 *  error names the whole argument, and a value may be a secret). */
export function redactMessage(args: string[], message: string): string {
  let out = message
  for (const a of args) {
    const eq = a.indexOf('=')
    if (eq < 0 || eq === a.length - 1) continue
    out = out.split(a.slice(eq + 1)).join('***')
  }
  return out
}
