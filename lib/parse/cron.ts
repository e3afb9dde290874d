// cron: parse a five-field cron schedule and render it as uwsgi `cron =` schedule prefixes.
//
// Accepted per field: `*`, `N`, `*/N`, `a-b`, `a-b/N`, and comma lists of those. Names (`mon`,
// `jan`), `@daily` and `N/M` are refused. Weekday 7 is Sunday, like 0.
//
// uwsgi's own syntax is five integers: N matches N, -1 matches everything, -N matches values where
// `value % N == 0`. For minute, hour and weekday that is exactly cron's `*/N`; for day (1-31) and
// month (1-12) it is not (`*/2` in the day field means 1,3,5,...). So a field written as `*` or `*/N`
// becomes -1 or -N only when its values really are "every value divisible by N"; every other field
// (lists, ranges, day and month steps) is expanded, and the schedule becomes the cartesian product
// of the fields: one `cron =` line per combination, at most MAX_CRON_LINES.
//
// Day and weekday: cron runs a job when either matches if both fields are restricted (neither
// starts with `*`), and when both match otherwise. uwsgi ORs them when both are numbers (>= 0) and
// ANDs them when either is negative. A restricted field therefore always renders as numbers, a
// field starting with `*` renders as -1/-N; the one schedule uwsgi cannot express (day starting
// with `*` but not one integer, such as `*/2`, together with a restricted weekday) is refused.

import { type Result, ok, fail } from '../errors.js'

/** The most `cron =` lines one schedule may expand to. */
export const MAX_CRON_LINES = 500

export type CronFieldName = 'minute' | 'hour' | 'day' | 'month' | 'weekday'

export type CronField = {
  name: CronFieldName
  /** The field as written. */
  source: string
  /** Every value it matches, ascending, without duplicates (weekday 7 folded into 0). */
  values: number[]
  /** What uwsgi gets: one integer (-1, -N or N) or the expanded values. */
  uwsgi: number[]
}

export type CronSchedule = {
  /** The five fields as written, joined by single spaces. */
  text: string
  fields: [CronField, CronField, CronField, CronField, CronField]
}

type FieldSpec = { name: CronFieldName; min: number; max: number }

const SPECS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'weekday', min: 0, max: 7 },
]

const ITEM = /^(?:(\*)|(\d{1,4})(?:-(\d{1,4}))?)(?:\/(\d{1,4}))?$/
const FORMS = 'expected *, N, */N, a-b or a-b/N, or a comma list of those'

/** Parse five cron fields (minute hour day month weekday); `where` prefixes every error (e.g. `Procfile:4`). */
export function parseCronSchedule(fields: string[], where: string): Result<CronSchedule> {
  if (fields.length > 0 && fields[0].startsWith('@')) {
    return fail(`${where}: cron schedule "${fields[0]}" is not supported; write five fields, e.g. "0 0 * * *" for daily`)
  }
  if (fields.length !== 5) {
    return fail(
      `${where}: cron needs five schedule fields (minute hour day month weekday) before the command, got ${fields.length}`,
    )
  }
  const errors: string[] = []
  const values: number[][] = []
  SPECS.forEach((spec, i) => {
    const r = parseField(fields[i], spec, where)
    if (r.ok) values.push(r.value)
    else errors.push(...r.errors)
  })
  if (errors.length > 0) return { ok: false, errors }

  const starts = fields.map(f => f.startsWith('*'))
  const parsed = SPECS.map((spec, i): CronField => {
    const native = starts[i] ? nativeOf(values[i], spec) : undefined
    return { name: spec.name, source: fields[i], values: values[i], uwsgi: native === undefined ? values[i] : [native] }
  }) as CronSchedule['fields']

  const [, , day, , weekday] = parsed
  for (const [a, b] of [[day, weekday], [weekday, day]]) {
    if (a.source.startsWith('*') && a.uwsgi[0] >= 0 && !b.source.startsWith('*')) {
      return fail(
        `${where}: cron ${a.name} "${a.source}" together with ${b.name} "${b.source}" cannot be expressed in uwsgi; use * for one of them or list the ${a.name}s without *`,
      )
    }
  }

  const lines = parsed.reduce((n, f) => n * f.uwsgi.length, 1)
  if (lines > MAX_CRON_LINES) {
    return fail(
      `${where}: cron schedule "${fields.join(' ')}" expands to ${lines} uwsgi cron lines (at most ${MAX_CRON_LINES}); use */N steps or shorter lists`,
    )
  }
  return ok({ text: fields.join(' '), fields: parsed })
}

/** The uwsgi `cron =` schedule prefixes (five integers each) for a parsed schedule, in order. */
export function renderUwsgiCron(s: CronSchedule): string[] {
  let lines = ['']
  for (const field of s.fields) {
    const next: string[] = []
    for (const prefix of lines) for (const v of field.uwsgi) next.push(prefix === '' ? String(v) : `${prefix} ${v}`)
    lines = next
  }
  return lines
}

function parseField(source: string, spec: FieldSpec, where: string): Result<number[]> {
  const place = `${where}: cron ${spec.name} "${source}"`
  const errors: string[] = []
  const set = new Set<number>()
  for (const item of source.split(',')) {
    const m = ITEM.exec(item)
    if (!m) {
      errors.push(`${place}: ${item === '' ? 'has an empty list item' : `"${item}" is not understood`}; ${FORMS}`)
      continue
    }
    const [, star, fromText, toText, stepText] = m
    if (star === undefined && toText === undefined && stepText !== undefined) {
      errors.push(`${place}: "${item}" is not understood; write a range before the step, e.g. "${fromText}-${spec.max}/${stepText}"`)
      continue
    }
    let from = spec.min
    let to = spec.max
    if (star === undefined) {
      from = Number(fromText)
      to = toText === undefined ? from : Number(toText)
      const outside = [from, to].filter(n => n < spec.min || n > spec.max)
      if (outside.length > 0) {
        errors.push(`${where}: cron ${spec.name} "${outside[0]}" is out of range ${spec.min}-${spec.max}`)
        continue
      }
      if (from > to) {
        errors.push(`${place}: the range "${item}" is reversed; write the smaller number first`)
        continue
      }
    }
    const span = spec.max - spec.min + 1
    const step = stepText === undefined ? 1 : Number(stepText)
    if (step < 1 || step > span) {
      errors.push(`${place}: step "${stepText}" must be from 1 to ${span}`)
      continue
    }
    for (let v = from; v <= to; v += step) set.add(spec.name === 'weekday' && v === 7 ? 0 : v)
  }
  if (errors.length > 0) return { ok: false, errors }
  return ok([...set].sort((a, b) => a - b))
}

/** One uwsgi integer matching exactly `values`, if there is one: N for a single value, -N for "divisible by N". */
function nativeOf(values: number[], spec: FieldSpec): number | undefined {
  if (values.length === 1) return values[0]
  const max = spec.name === 'weekday' ? 6 : spec.max
  for (let n = 1; n <= max; n++) {
    const want: number[] = []
    for (let v = spec.min; v <= max; v++) if (v % n === 0) want.push(v)
    if (want.length === values.length && want.every((v, i) => v === values[i])) return -n
  }
  return undefined
}
