// record-file: how every JSON record of the layout is read and written. One read tells a missing file from
// a valid one and from a damaged one (with why, for the report); one write is durable (temp file, fsync,
// rename). Each record's module (release, activations, app-state, certs) gives its own validator.
import { readFileSync } from 'node:fs'
import { writeFileAtomic } from '../host/atomic-file.js'

export type RecordRead<T> = { state: 'ok'; value: T } | { state: 'missing' } | { state: 'damaged'; why: string }

/** What a validator answers: the record, or why the value is not one (`not an activation record`). */
export type RecordCheck<T> = { value: T } | { why: string }

/** Read and check a JSON record. Missing: no file. Damaged: unreadable (its errno), `empty`, `not valid
 *  JSON`, or what `check` says. */
export function readRecordFile<T>(path: string, check: (v: unknown) => RecordCheck<T>): RecordRead<T> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return code === 'ENOENT' || code === 'ENOTDIR' ? { state: 'missing' } : { state: 'damaged', why: code ?? 'unreadable' }
  }
  if (!text.trim()) return { state: 'damaged', why: 'empty' }
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    // pure parsing: JSON.parse fails only with a SyntaxError
    return { state: 'damaged', why: 'not valid JSON' }
  }
  const checked = check(v)
  return 'why' in checked ? { state: 'damaged', why: checked.why } : { state: 'ok', value: checked.value }
}

/** A JSON object (not null): what every record is. */
export function isRecordObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object'
}

/** The record's value, or undefined when it is missing or damaged (for a reader with nothing to fall back on). */
export function recordValue<T>(r: RecordRead<T>): T | undefined {
  return r.state === 'ok' ? r.value : undefined
}

/** Write a record durably, as indented JSON. */
export function writeRecordFile(path: string, value: unknown, indent = true): void {
  writeFileAtomic(path, JSON.stringify(value, null, indent ? 2 : undefined) + '\n', 0o600)
}
