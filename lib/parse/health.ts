// health: the rule a new release's web workers must meet before traffic moves to them (pure).
// Default as ever: any answer below 500 on PIKU_HEALTH_PATH. PIKU_HEALTH_STATUS (`200-399`, `200,204`,
// `2xx`) makes the status strict; PIKU_HEALTH_CONTENT requires a text in the body, as dokku's checks do.
import { type Result, ok, fail } from '../errors.js'

export type StatusRange = [number, number]

export interface HealthRule {
  path: string
  timeoutMs: number
  status?: StatusRange[] // absent: anything below 500
  content?: string // absent: any body
}

export interface HealthAnswer {
  status: number // 0: nothing answered
  body: string
}

/** PIKU_HEALTH_STATUS: comma-separated `NNN`, `NNN-NNN` or `Nxx` items, each from 100 to 599. */
export function parseHealthStatus(value: string | undefined): Result<StatusRange[] | undefined> {
  const v = (value ?? '').trim()
  if (v === '') return ok(undefined)
  const ranges: StatusRange[] = []
  for (const item of v.split(',').map((s) => s.trim())) {
    let m: RegExpExecArray | null
    let range: StatusRange | undefined
    if ((m = /^([1-5])xx$/i.exec(item))) range = [Number(m[1]) * 100, Number(m[1]) * 100 + 99]
    else if ((m = /^(\d{3})$/.exec(item))) range = [Number(m[1]), Number(m[1])]
    else if ((m = /^(\d{3})\s*-\s*(\d{3})$/.exec(item))) range = [Number(m[1]), Number(m[2])]
    if (!range || range[0] < 100 || range[1] > 599 || range[0] > range[1]) {
      return fail(`PIKU_HEALTH_STATUS=${JSON.stringify(v.slice(0, 80))}: expected HTTP statuses such as 200, 200-399, 2xx or 200,204 (from 100 to 599)`)
    }
    ranges.push(range)
  }
  return ok(ranges)
}

/** PIKU_HEALTH_CONTENT: one line of text (at most 200 characters) the body must contain. */
export function parseHealthContent(value: string | undefined): Result<string | undefined> {
  if (value === undefined || value === '') return ok(undefined)
  if (value.length > 200 || /[\r\n\0]/.test(value)) return fail(`PIKU_HEALTH_CONTENT: expected one line of at most 200 characters`)
  return ok(value)
}

export function describeStatusRule(rule: Pick<HealthRule, 'status'>): string {
  return rule.status ? rule.status.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',') : 'below 500'
}

/** Undefined when `answer` meets the rule, else what is wrong, in words. */
export function judgeHealth(answer: HealthAnswer, rule: Pick<HealthRule, 'status' | 'content'>): string | undefined {
  if (answer.status === 0) return 'no answer'
  const statusOk = rule.status ? rule.status.some(([a, b]) => answer.status >= a && answer.status <= b) : answer.status < 500
  if (!statusOk) return `status ${answer.status}, expected ${describeStatusRule(rule)}${rule.status ? ' (PIKU_HEALTH_STATUS)' : ''}`
  if (rule.content !== undefined && !answer.body.includes(rule.content)) return `the body does not contain ${JSON.stringify(rule.content)} (PIKU_HEALTH_CONTENT)`
  return undefined
}

/** A short, one-line picture of what came back: `404 "Not Found"` (the body's first 80 characters). */
export function describeAnswer(answer: HealthAnswer): string {
  if (answer.status === 0) return 'nothing answered'
  const text = answer.body.replace(/\s+/g, ' ').trim()
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text
  return `${answer.status}${cut ? ` ${JSON.stringify(cut)}` : ' (empty body)'}`
}
