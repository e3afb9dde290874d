// parse/memory: memory caps per process kind (pure). PIKU_MEMORY_MAX caps every instance of every kind of the
// app; PIKU_MEMORY_MAX_<KIND> (the kind in upper case, `-` as `_`) caps one kind and wins over it. Sizes are a
// whole number and K, M or G (binary: 1M = 1048576 bytes), from 8M to 1024G. An empty value counts as unset.
import { type Result, ok, fail } from '../errors.js'

export const MEMORY_MAX = 'PIKU_MEMORY_MAX'
export const MIN_CAP = 8 * 1024 ** 2
export const MAX_CAP = 1024 * 1024 ** 3

/** The cap of one kind: its size in bytes and the setting it came from (for messages). */
export interface MemoryCap {
  bytes: number
  key: string
  value: string
}

const SIZE = /^(\d{1,7})([KMG])$/i
const UNIT: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }

/** `96M` -> 100663296; undefined when it is not a size in range. */
export function parseSize(raw: string): number | undefined {
  const m = SIZE.exec(raw.trim())
  if (!m) return undefined
  const bytes = Number(m[1]) * UNIT[m[2].toUpperCase()]
  return bytes >= MIN_CAP && bytes <= MAX_CAP ? bytes : undefined
}

/** 100663296 -> `96M`: the largest unit that divides it, for messages and ps. */
export function formatSize(bytes: number): string {
  for (const [u, n] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) if (bytes % n === 0) return `${bytes / n}${u}`
  return `${bytes}B`
}

/** The setting that caps one kind: `worker` -> PIKU_MEMORY_MAX_WORKER, `my-job` -> PIKU_MEMORY_MAX_MY_JOB. */
export function memoryKey(kind: string): string {
  return `${MEMORY_MAX}_${kind.toUpperCase().replace(/-/g, '_')}`
}

/**
 * The cap of each kind that has one, from PIKU_MEMORY_MAX and PIKU_MEMORY_MAX_<KIND>. `kinds` are the kinds
 * that run workers; a PIKU_MEMORY_MAX_<X> that names none of them is an error (a typo would cap nothing).
 */
export function planMemoryCaps(env: Record<string, string | undefined>, kinds: string[]): Result<Record<string, MemoryCap>> {
  const errors: string[] = []
  const read = (key: string): MemoryCap | undefined => {
    const value = env[key]
    if (value === undefined || value.trim() === '') return undefined
    const bytes = parseSize(value)
    if (bytes === undefined) {
      errors.push(`${key}=${JSON.stringify(value)}: expected a size such as 96M or 1G (a whole number, then K, M or G; from 8M to 1024G)`)
      return undefined
    }
    return { bytes, key, value: value.trim() }
  }
  const all = read(MEMORY_MAX)
  const caps: Record<string, MemoryCap> = {}
  const known = new Set<string>()
  for (const kind of kinds) {
    const key = memoryKey(kind)
    known.add(key)
    const cap = read(key) ?? all
    if (cap) caps[kind] = cap
  }
  for (const key of Object.keys(env).sort()) {
    if (!key.startsWith(`${MEMORY_MAX}_`) || known.has(key) || (env[key] ?? '').trim() === '') continue
    errors.push(`${key}: this app has no process kind ${JSON.stringify(key.slice(MEMORY_MAX.length + 1).toLowerCase())} to cap (its kinds: ${kinds.join(', ') || 'none'}); use ${kinds.map(memoryKey).join(' or ') || MEMORY_MAX}`)
  }
  return errors.length ? fail(...errors) : ok(caps)
}

/** Node's heap limit for a cap: 75% of it in MiB, so V8 gives up (and says why) before the kernel has to kill. */
export function heapLimitMb(bytes: number): number {
  return Math.max(8, Math.floor((bytes * 0.75) / 1024 ** 2))
}

/** NODE_OPTIONS with a heap limit that fits the cap, unless the app already chose one. */
export function withHeapLimit(nodeOptions: string | undefined, bytes: number): string {
  const current = (nodeOptions ?? '').trim()
  if (/--max-old-space-size[= ]/.test(current)) return current
  return [current, `--max-old-space-size=${heapLimitMb(bytes)}`].filter(Boolean).join(' ')
}
