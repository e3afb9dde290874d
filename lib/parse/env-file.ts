// env-file: parse and write ENV files (the repo's ENV, config:set values) with one set of rules; its line
// reader (parseEnvLines) is also the one of host.env (parse/host-env.ts) and LIVE_ENV (parse/live-env.ts).
//
// Rules (ours; the README lists where they differ from piku):
// - One `KEY=VALUE` per line, split at the first `=`; an optional `export ` prefix is ignored.
//   Whitespace around the key and around an unquoted value is trimmed.
// - Lines that are blank or whose first non-blank character is `#` are skipped. There are no
//   inline comments: `A=b # c` gives `b # c`.
// - The key must be a config key (a letter or `_`, then letters, digits, `_`).
// - `"double quoted"`: the quotes are removed; `\n`, `\r`, `\t`, `\"`, `\\` and `\$` are escapes
//   (any other backslash stays as written); `$VAR` and `${VAR}` are expanded. One line only.
// - `'single quoted'`: the quotes are removed and nothing inside is touched.
// - Unquoted: `$VAR` and `${VAR}` are expanded and `\$` gives a literal `$`; other backslashes
//   and quotes are kept as written.
// - Expansion looks at the keys set by earlier lines of this file, then at `base`. An unknown name
//   is left as written (`$NOPE` stays `$NOPE`), as piku does; `${X:-default}` is not special.
// - Nothing after a closing quote but whitespace. A later line for the same key overrides.
// - A line that does not fit (no `=`, a bad key, an unclosed quote) is an error naming the line;
//   all errors are reported, and none is skipped silently.

import { validateConfigKey } from './app-name.js'
import { type Result, ok } from '../errors.js'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/
const DOUBLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' }
const PLAIN_VALUE = /^[A-Za-z0-9_\-.,:/@%+=]+$/

type Lookup = (name: string) => string | undefined

/** How the text after a line's `=` (trimmed) becomes its value; `own` looks up the keys of earlier lines. A reader
 *  that has nothing to add to the expected form fails with no message. */
export type EnvValueReader = (raw: string, own: Lookup) => Result<string>

export interface EnvLines {
  values: Record<string, string> // the keys of the lines that fit, in first-seen order
  errors: string[] // one per line that does not fit: `FILE:LINE: expected FORM...`
}

/**
 * The one reader of KEY=VALUE lines, for every env-style file: a byte-order mark, blank lines and `#` comments
 * skipped, `export ` ignored, split at the first `=`, a config key, the value read by `value` (ENV's rules by
 * default, `$NAME` looked up in earlier lines, then in `base`). Every line that does not fit is an error naming it.
 */
export function parseEnvLines(
  text: string,
  o: { file: string; base?: Record<string, string>; value?: EnvValueReader; expected?: string },
): EnvLines {
  const base = o.base ?? {}
  const readValue = o.value ?? ((raw, own) => parseValue(raw, (name) => own(name) ?? (Object.hasOwn(base, name) ? base[name] : undefined)))
  const values: Record<string, string> = {}
  const errors: string[] = []
  const own: Lookup = (name) => (Object.hasOwn(values, name) ? values[name] : undefined)

  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const where = `${o.file}:${i + 1}: expected ${o.expected ?? 'KEY=VALUE'}`
      let line = raw.trim()
      if (line === '' || line.startsWith('#')) return
      line = line.replace(/^export\s+(?=[A-Za-z_])/, '')
      const eq = line.indexOf('=')
      if (eq < 0) {
        errors.push(`${where}, got ${JSON.stringify(raw.trim())}`)
        return
      }
      const key = line.slice(0, eq).trim()
      const valid = validateConfigKey(key)
      if (!valid.ok) {
        errors.push(`${where}: ${valid.errors[0]}`)
        return
      }
      const value = readValue(line.slice(eq + 1).trim(), own)
      if (!value.ok) {
        errors.push(value.errors[0] ? `${where}: ${value.errors[0]}` : where)
        return
      }
      values[key] = value.value
    })
  return { values, errors }
}

/** Parse an ENV file; returns the file's own keys (in first-seen order) with values expanded. */
export function parseEnvFile(text: string, base: Record<string, string>, file = 'ENV'): Result<Record<string, string>> {
  const { values, errors } = parseEnvLines(text, { file, base })
  if (errors.length > 0) return { ok: false, errors }
  return ok(values)
}

/** Write `KEY=VALUE` lines that parseEnvFile (with an empty base) reads back to exactly `values`. */
export function serializeEnvFile(values: Record<string, string>): string {
  let out = ''
  for (const [key, value] of Object.entries(values)) {
    if (!validateConfigKey(key).ok) throw new TypeError(`serializeEnvFile: invalid key ${JSON.stringify(key)}`)
    out += `${key}=${value === '' || PLAIN_VALUE.test(value) ? value : quote(value)}\n`
  }
  return out
}

function quote(value: string): string {
  const escaped = value.replace(/[\\"$\n\r\t]/g, c => {
    const map: Record<string, string> = { '\\': '\\\\', '"': '\\"', $: '\\$', '\n': '\\n', '\r': '\\r', '\t': '\\t' }
    return map[c]
  })
  return `"${escaped}"`
}

function parseValue(v: string, lookup: Lookup): Result<string> {
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1)
    if (end < 0) return { ok: false, errors: [`the single quote is never closed; add a closing '`] }
    return afterQuote(v, end, v.slice(1, end))
  }
  if (v.startsWith('"')) {
    let out = ''
    let i = 1
    while (i < v.length) {
      const c = v[i]
      if (c === '"') return afterQuote(v, i, out)
      if (c === '\\' && i + 1 < v.length) {
        const next = v[i + 1]
        out += DOUBLE_ESCAPES[next] ?? c + next
        i += 2
      } else if (c === '$') {
        const [text, used] = expand(v, i, lookup)
        out += text
        i += used
      } else {
        out += c
        i++
      }
    }
    return { ok: false, errors: [`the double quote is never closed; add a closing "`] }
  }
  let out = ''
  let i = 0
  while (i < v.length) {
    if (v.startsWith('\\$', i)) {
      out += '$'
      i += 2
    } else if (v[i] === '$') {
      const [text, used] = expand(v, i, lookup)
      out += text
      i += used
    } else {
      out += v[i]
      i++
    }
  }
  return ok(out)
}

function afterQuote(v: string, close: number, value: string): Result<string> {
  if (v.slice(close + 1).trim() !== '') {
    return { ok: false, errors: [`text after the closing quote; put the whole value inside the quotes`] }
  }
  return ok(value)
}

/** Expand the `$NAME` or `${NAME}` at v[i]; returns the text and how many characters it used. */
function expand(v: string, i: number, lookup: Lookup): [string, number] {
  const braced = v[i + 1] === '{'
  const rest = v.slice(i + (braced ? 2 : 1))
  const m = NAME.exec(rest)
  if (!m || (braced && rest[m[0].length] !== '}')) return ['$', 1]
  const used = braced ? m[0].length + 3 : m[0].length + 1
  const found = lookup(m[0])
  return [found ?? v.slice(i, i + used), used]
}

const LINE_KEY = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/

/**
 * Edit the text of an ENV file: a set key's first line is replaced in place (later lines for it are
 * dropped), new keys are appended, unset keys' lines are dropped. Every other line stays as written.
 */
export function applyEnvChanges(text: string, set: [string, string][], unset: string[] = []): string {
  const values = new Map(set)
  const written = new Set<string>()
  const out: string[] = []
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/)
  for (const line of lines) {
    const key = LINE_KEY.exec(line)?.[1]
    if (key !== undefined && unset.includes(key)) continue
    if (key !== undefined && values.has(key)) {
      if (!written.has(key)) out.push(serializeEnvFile({ [key]: values.get(key) as string }).trimEnd())
      written.add(key)
      continue
    }
    out.push(line)
  }
  for (const [key, value] of values) if (!written.has(key)) out.push(serializeEnvFile({ [key]: value }).trimEnd())
  return out.length ? out.join('\n') + '\n' : ''
}
