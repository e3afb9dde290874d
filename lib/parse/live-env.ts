// live-env: LIVE_ENV, the environment of the running release, written at activation and read by
// config:live and run: one `KEY="json string"` line per variable.
import { type Result, ok, fail } from '../errors.js'

export function renderLiveEnv(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n'
}

export function parseLiveEnv(text: string): Result<Record<string, string>> {
  const env: Record<string, string> = {}
  const errors: string[] = []
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(".*")$/.exec(line)
    let value: unknown
    try {
      value = m ? JSON.parse(m[2]) : undefined
    } catch {}
    if (!m || typeof value !== 'string') {
      errors.push(`LIVE_ENV:${i + 1}: expected KEY="json string"`)
      return
    }
    env[m[1]] = value
  })
  return errors.length ? fail(...errors) : ok(env)
}
