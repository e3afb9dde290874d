// live-env: LIVE_ENV, the environment of the running release, written at activation and read by
// config:live and run: one `KEY="json string"` line per variable, read by the ENV line reader (env-file.ts)
// with JSON's string rules for the value (ENV's quoting would expand `$` and lacks `\u` escapes).
import { type Result, ok, fail } from '../errors.js'
import { parseEnvLines } from './env-file.js'

export function renderLiveEnv(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n'
}

/** A JSON string literal, or a failure with nothing to add to `KEY="json string"`. */
function parseJsonString(raw: string): Result<string> {
  let value: unknown
  try {
    value = raw.startsWith('"') ? JSON.parse(raw) : undefined
  } catch {} // pure parsing: JSON.parse fails only with a SyntaxError, which means "not a JSON string"
  return typeof value === 'string' ? ok(value) : fail()
}

export function parseLiveEnv(text: string): Result<Record<string, string>> {
  const { values, errors } = parseEnvLines(text, { file: 'LIVE_ENV', value: parseJsonString, expected: 'KEY="json string"' })
  return errors.length ? fail(...errors) : ok(values)
}
