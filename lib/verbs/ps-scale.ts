// ps:scale: set how many copies of Procfile kinds run (config/APP/SCALING), then redeploy the live
// commit; if that fails the previous counts come back and nothing changed.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { appPaths } from '../state/paths.js'
import { currentRelease, readPlan } from '../state/release.js'
import { parseProcfile } from '../parse/procfile.js'
import { parseScaleArgs, parseScaling, renderScaling, type ScaleCounts } from '../parse/scaling.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

/** Saved counts with `changes` applied: changed kinds keep their place, new ones go last. */
export function mergeScaling(saved: ScaleCounts, changes: ScaleCounts): ScaleCounts {
  return { ...saved, ...changes }
}

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const id = currentRelease(app)
  const plan = id ? readPlan(app, id) : undefined
  if (!plan) throw new UserError(`"${app}" has not been deployed yet: push to it first, then scale its Procfile kinds`)
  const procfile = join(plan.dir, 'Procfile')
  const parsed = existsSync(procfile) ? parseProcfile(readFileSync(procfile, 'utf8')) : undefined
  const kinds = parsed?.ok ? parsed.value.entries.map((e) => e.kind) : plan.processes.map((p) => p.kind)
  const changes = parseScaleArgs(rest, kinds)
  if (!changes.ok) throw new UserError(changes.errors[0])
  const { withAppLock, applyFileChange } = await import('../deploy/app-change.js')
  await withAppLock(app, 'ps:scale', async () => {
    const file = appPaths(app).scaling
    const saved = existsSync(file) ? parseScaling(readFileSync(file, 'utf8')) : { ok: true as const, value: {} }
    if (!saved.ok) throw new UserError(saved.errors[0])
    for (const [k, n] of Object.entries(changes.value)) log.step(`scaling ${app} ${k} to ${n}`)
    await applyFileChange({ app, file, text: renderScaling(mergeScaling(saved.value, changes.value)), reason: 'scale', key: ctx.key })
  })
  return 0
}
