// semver-range: the part of npm's version ranges that engines.node and NODE_VERSION use (pure): exact
// versions, x-ranges (`18`, `18.x`, `*`), `^`, `~`, comparators (`>=18.2 <21`), hyphen ranges
// (`16 - 18`) and `||`. Pre-release tags are refused rather than guessed at.
import { type Result, ok, fail } from '../errors.js'

export type Version = [number, number, number]
type Op = '>=' | '>' | '<' | '<=' | '='
export interface Comparator {
  op: Op
  v: Version
}
/** Alternatives (`||`), each a list of comparators that must all hold; an empty list matches anything. */
export type Range = Comparator[][]

const PART = /^(?:0|[1-9]\d{0,8}|x|X|\*)$/

/** `v1.2.3`, `1.2`, `1.x`, `*`: the numbers given (x, X and * end the list). Undefined when not a version. */
function parsePartial(text: string): number[] | undefined {
  const t = text.replace(/^v/, '').replace(/\+[0-9A-Za-z.-]*$/, '') // build metadata means nothing here
  if (t === '' || t === '*' || t === 'x' || t === 'X') return []
  const parts = t.split('.')
  if (parts.length > 3 || !parts.every((p) => PART.test(p))) return undefined
  const nums: number[] = []
  for (const p of parts) {
    if (p === 'x' || p === 'X' || p === '*') break
    nums.push(Number(p))
  }
  return nums
}

const pad = (n: number[]): Version => [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0]
/** The first version above everything that starts with `n` (n = [1, 2] -> 1.3.0). */
function next(n: number[]): Version {
  if (n.length === 1) return [n[0] + 1, 0, 0]
  if (n.length === 2) return [n[0], n[1] + 1, 0]
  return [n[0], n[1], n[2] + 1]
}

function comparators(op: string, n: number[]): Comparator[] {
  if (n.length === 0) return op === '<' || op === '>' ? [{ op: '<', v: [0, 0, 0] }] : []
  switch (op) {
    case '':
    case '=':
      return n.length === 3 ? [{ op: '=', v: pad(n) }] : [{ op: '>=', v: pad(n) }, { op: '<', v: next(n) }]
    case '>=':
      return [{ op: '>=', v: pad(n) }]
    case '>':
      return n.length === 3 ? [{ op: '>', v: pad(n) }] : [{ op: '>=', v: next(n) }]
    case '<':
      return [{ op: '<', v: pad(n) }]
    case '<=':
      return n.length === 3 ? [{ op: '<=', v: pad(n) }] : [{ op: '<', v: next(n) }]
    case '~':
    case '~>':
      return [{ op: '>=', v: pad(n) }, { op: '<', v: next(n.slice(0, Math.min(n.length, 2))) }]
    case '^': {
      // up to the first non-zero part given: ^1.2.3 <2, ^0.2.3 <0.3, ^0.0.3 <0.0.4, ^0.x <1, ^0.0 <0.1
      const firstNonZero = n.findIndex((x) => x !== 0)
      const keep = firstNonZero === -1 ? n.length : firstNonZero + 1
      return [{ op: '>=', v: pad(n) }, { op: '<', v: next(n.slice(0, keep)) }]
    }
  }
  /* c8 ignore next 2 */ // parseRange passes only the operators above
  return []
}

/** Parse a range; `where` names the setting in errors (`package.json engines.node`, `NODE_VERSION`). */
export function parseRange(text: string, where: string): Result<Range> {
  const bad = () => fail<Range>(`${where} ${JSON.stringify(text.slice(0, 80))}: not a version range (use e.g. 20, 20.11.1, ^18.17, >=18 <21 or 18 || 20)`)
  if (text.length > 200) return bad()
  const range: Range = []
  for (const alt of text.split('||')) {
    const set: Comparator[] = []
    const a = alt.trim()
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(a)
    if (hyphen) {
      const lo = parsePartial(hyphen[1])
      const hi = parsePartial(hyphen[2])
      if (!lo || !hi) return bad()
      set.push(...comparators('>=', lo), ...comparators('<=', hi))
    } else {
      // `>= 18` is one comparator: join an operator to the version after it
      const words = a.replace(/(>=|<=|>|<|=|~>|~|\^)\s+/g, '$1').split(/\s+/).filter(Boolean)
      for (const w of words) {
        const m = /^(>=|<=|>|<|=|~>|~|\^)?(.*)$/.exec(w)!
        const n = m[1] && m[2] === '' ? undefined : parsePartial(m[2])
        if (!n) return bad()
        set.push(...comparators(m[1] ?? '', n))
      }
    }
    range.push(set)
  }
  return ok(range)
}

/** `v20.11.1` (node --version) or `20.11.1`. */
export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:[-+].*)?$/.exec(text.trim())
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return 0
}

export function satisfies(v: Version, range: Range): boolean {
  return range.some((set) =>
    set.every((c) => {
      const d = compare(v, c.v)
      return c.op === '=' ? d === 0 : c.op === '>=' ? d >= 0 : c.op === '>' ? d > 0 : c.op === '<' ? d < 0 : d <= 0
    }),
  )
}

/** The one version a range names exactly (`18.19.0`, `=18.19.0`, `v18.19.0`), for nodeenv; else undefined. */
export function exactVersion(text: string): string | undefined {
  const m = /^\s*=?\s*v?(\d{1,9}\.\d{1,9}\.\d{1,9})\s*$/.exec(text)
  return m ? m[1] : undefined
}
