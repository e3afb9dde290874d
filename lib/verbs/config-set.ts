// config:set: set config values (config/APP/ENV), then redeploy the live commit to apply them; if that
// deploy fails the previous values come back and nothing changed.
import { existsSync, readFileSync } from 'node:fs'
import { appPaths } from '../state/paths.js'
import { parseSettingArgs } from '../parse/settings.js'
import { serializeEnvFile } from '../parse/env-file.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

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

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const pairs = parseSettingArgs(rest)
  if (!pairs.ok) throw new UserError(pairs.errors[0])
  const { withAppLock, applyFileChange } = await import('../deploy/app-change.js')
  await withAppLock(app, 'config:set', async () => {
    const file = appPaths(app).env
    const before = existsSync(file) ? readFileSync(file, 'utf8') : ''
    for (const [k] of pairs.value) log.step(`setting ${k} for "${app}"`)
    await applyFileChange({ app, file, text: applyEnvChanges(before, pairs.value), reason: 'config', key: ctx.key })
  })
  return 0
}
