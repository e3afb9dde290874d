// logs:deploy: print a kept deploy log (logs/APP/deploys/vN.log): the newest by default, failed pushes
// included, so output that scrolled by (or a refused push) can be read again.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { appPaths } from '../state/paths.js'
import { deployLogFile } from '../state/deploy-log.js'
import { readHistory } from '../state/release.js'
import { type Result, ok, fail, UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

const LOG = /^v(\d{1,9})\.log$/

/** The release id whose log to print: `wanted` (checked) or the newest of `files` (a folder listing). */
export function pickDeployLog(files: string[], wanted?: string): Result<string> {
  const ids = files
    .flatMap((f) => {
      const m = LOG.exec(f)
      return m ? [Number(m[1])] : []
    })
    .sort((a, b) => b - a)
    .map((n) => `v${n}`)
  if (wanted !== undefined) {
    if (!/^v\d{1,9}$/.test(wanted)) return fail(`logs:deploy: "${wanted.slice(0, 40)}" is not a release id (like v3)`)
    if (!ids.includes(wanted)) return fail(`logs:deploy: no deploy log of ${wanted} is kept${ids.length ? ` (kept: ${ids.slice(0, 10).join(', ')})` : ''}`)
    return ok(wanted)
  }
  if (!ids.length) return fail('logs:deploy: no deploy log is kept yet (one is written by every push, deploy and config change)')
  return ok(ids[0])
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, wanted, ...rest] = args
  if (rest.length) throw new UserError('usage: logs:deploy APP [RELEASE]')
  const dir = appPaths(app).deployLogs
  const id = pickDeployLog(existsSync(dir) ? readdirSync(dir) : [], wanted)
  if (!id.ok) throw new UserError(id.errors[0])
  const last = [...readHistory(app)].reverse().find((h) => h.id === id.value)
  log.step(`deploy log of ${app} ${id.value}${last ? ` (${last.outcome}${last.message ? `: ${last.message}` : ''})` : ''}`)
  log.out(readFileSync(deployLogFile(app, id.value), 'utf8'))
  return 0
}
