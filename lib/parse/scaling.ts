// scaling: how many copies of each Procfile kind run: the SCALING file, ps:scale arguments, the plan.
//
// Every worker kind (web, wsgi, cron*, and any daemon kind) runs 1 copy unless SCALING says
// otherwise; `static` has no processes and `release`/`preflight` run once per deploy, so none of
// those can be scaled. A cron kind runs 0 or 1 copies (more would run the job several times).

import { validateKind } from './app-name.js'
import { type Result, ok } from '../errors.js'
import { classifyKind } from './procfile.js'

/** The most copies of one kind. */
export const MAX_SCALE = 32

export type ScaleCounts = Record<string, number>

const COUNT = /^\d{1,3}$/

/** Parse a SCALING file: `kind=count` lines (piku's `kind:count` is read too); '#' comments and blanks skipped. */
export function parseScaling(text: string, file = 'SCALING'): Result<ScaleCounts> {
  const errors: string[] = []
  const counts: ScaleCounts = {}
  const lines = new Map<string, number>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `${file}:${i + 1}`
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const m = /^([^=:]*)[=:](.*)$/.exec(line)
    if (!m) {
      errors.push(`${where}: expected "kind=count", got ${JSON.stringify(line)}`)
      return
    }
    const kind = m[1].trim()
    const valid = validateKind(kind)
    if (!valid.ok) {
      errors.push(`${where}: ${valid.errors[0]}`)
      return
    }
    const count = parseCount(m[2].trim())
    if (count === undefined) {
      errors.push(`${where}: count ${JSON.stringify(m[2].trim())} for "${kind}": expected a whole number from 0 to ${MAX_SCALE}`)
      return
    }
    const first = lines.get(kind)
    if (first !== undefined) {
      errors.push(`${where}: "${kind}" is already scaled on line ${first}; keep one`)
      return
    }
    lines.set(kind, i + 1)
    counts[kind] = count
  })
  if (errors.length > 0) return { ok: false, errors }
  return ok(counts)
}

/** Write counts as `kind=count` lines, in the order given. */
export function renderScaling(counts: ScaleCounts): string {
  return Object.entries(counts)
    .map(([kind, n]) => `${kind}=${n}\n`)
    .join('')
}

/** `ps:scale APP kind=N...`: every kind must be a scalable kind of the Procfile (`kinds`), N from 0 to 32. */
export function parseScaleArgs(args: string[], kinds: string[]): Result<ScaleCounts> {
  if (args.length === 0) return { ok: false, errors: ['ps:scale: give at least one KIND=COUNT, e.g. web=2'] }
  const scalable = kinds.filter(isScalable)
  const errors: string[] = []
  const counts: ScaleCounts = {}
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq < 0) {
      errors.push(`ps:scale: argument ${JSON.stringify(arg)} is not KIND=COUNT, e.g. web=2`)
      continue
    }
    const kind = arg.slice(0, eq)
    const count = parseCount(arg.slice(eq + 1))
    if (!scalable.includes(kind)) {
      errors.push(`ps:scale: ${notScalable(kind, kinds, scalable)}`)
    } else if (count === undefined) {
      errors.push(`ps:scale: argument ${JSON.stringify(arg)}: expected a whole number from 0 to ${MAX_SCALE}`)
    } else if (classifyKind(kind) === 'cron' && count > 1) {
      errors.push(`ps:scale: argument ${JSON.stringify(arg)}: a cron kind runs 0 or 1 copies (more would run the job twice)`)
    } else if (kind in counts) {
      errors.push(`ps:scale: "${kind}" is given twice; give it once`)
    } else {
      counts[kind] = count
    }
  }
  if (errors.length > 0) return { ok: false, errors }
  return ok(counts)
}

/**
 * The count of every scalable kind of the Procfile, in Procfile order: the saved count if there is
 * one (cron capped at 1), else 1. Saved counts for kinds no longer in the Procfile are dropped.
 */
export function planScaling(kinds: string[], saved: ScaleCounts): ScaleCounts {
  const plan: ScaleCounts = {}
  for (const kind of kinds.filter(isScalable)) {
    const n = Object.hasOwn(saved, kind) ? saved[kind] : 1
    plan[kind] = classifyKind(kind) === 'cron' ? Math.min(n, 1) : n
  }
  return plan
}

function isScalable(kind: string): boolean {
  const c = classifyKind(kind)
  return c !== 'static' && c !== 'release' && c !== 'preflight'
}

function notScalable(kind: string, kinds: string[], scalable: string[]): string {
  if (kinds.includes(kind)) {
    return classifyKind(kind) === 'static'
      ? `"static" has no processes to scale (nginx serves its files)`
      : `"${kind}" runs once per deploy and cannot be scaled`
  }
  const has = scalable.length > 0 ? scalable.join(', ') : 'no scalable kinds'
  return `${JSON.stringify(kind)} is not a kind in the Procfile; it has ${has}`
}

function parseCount(v: string): number | undefined {
  if (!COUNT.test(v)) return undefined
  const n = Number(v)
  return n <= MAX_SCALE ? n : undefined
}
