// nginx-settings: the per-app nginx options piku-hooks acts on (HTTPS-only, cache, include file, Cloudflare
// ACL, IPv6), read from an app's composed env and checked against allow-lists (pure).
//
// piku's names are kept; booleans follow piku's get_boolean (parseBool: anything but 1/on/true/... is false).
// An empty value counts as unset; a set but wrong value is an error naming the key and what it accepts.
import { type Result, ok, fail } from '../errors.js'
import { parseBool } from './settings.js'

export interface CacheSettings {
  prefixes: string[] // URL prefixes without their leading '/', e.g. 'api', 'static/img'
  sizeGb: number // NGINX_CACHE_SIZE: max_size in GB
  timeS: number // NGINX_CACHE_TIME: how long a 200/301/302/304 answer stays valid
  controlS: number // NGINX_CACHE_CONTROL: the max-age sent to clients
  expiryS: number // NGINX_CACHE_EXPIRY: unused entries are dropped after this long
}

export interface NginxSettings {
  httpsOnly: boolean
  cache?: CacheSettings
  includeFile?: string // relative to the release folder; checked against the files at build time
  cloudflareAcl: boolean
  disableIpv6: boolean
}

type Env = Record<string, string | undefined>

const SEGMENT = /^[A-Za-z0-9._~@+-]+$/

/** A relative path inside the app: plain segments, no `.`/`..`, nothing hidden. */
export function isPlainRelativePath(p: string): boolean {
  const segs = p.split('/')
  return p !== '' && segs.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..' && !s.startsWith('.'))
}

function setValue(env: Env, key: string): string | undefined {
  const v = env[key]?.trim()
  return v ? v : undefined
}

function whole(env: Env, key: string, min: number, max: number, fallback: number, errors: string[]): number {
  const raw = setValue(env, key)
  if (raw === undefined) return fallback
  const n = /^\d{1,12}$/.test(raw) ? Number(raw) : NaN
  if (n >= min && n <= max) return n
  errors.push(`${key}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`)
  return fallback
}

/** NGINX_CACHE_PREFIXES: `/api,/static/img` (commas or spaces; the leading `/` optional). */
export function parseCachePrefixes(v: string): Result<string[]> {
  const errors: string[] = []
  const out: string[] = []
  for (const raw of v.split(/[\s,]+/).filter(Boolean)) {
    const p = raw.replace(/^\/+/, '').replace(/\/+$/, '')
    if (!isPlainRelativePath(p)) {
      errors.push(`NGINX_CACHE_PREFIXES: ${JSON.stringify(raw)} is not a plain URL prefix such as /api or /static/img`)
      continue
    }
    if (!out.includes(p)) out.push(p)
  }
  if (errors.length) return fail(...errors)
  if (!out.length) return fail('NGINX_CACHE_PREFIXES: give at least one prefix, such as /api')
  return ok(out)
}

export function parseNginxSettings(env: Env): Result<NginxSettings> {
  const errors: string[] = []
  let cache: CacheSettings | undefined
  const prefixes = setValue(env, 'NGINX_CACHE_PREFIXES')
  if (prefixes !== undefined) {
    const p = parseCachePrefixes(prefixes)
    if (!p.ok) errors.push(...p.errors)
    cache = {
      prefixes: p.ok ? p.value : [],
      sizeGb: whole(env, 'NGINX_CACHE_SIZE', 1, 1024, 1, errors),
      timeS: whole(env, 'NGINX_CACHE_TIME', 1, 31_536_000, 3600, errors),
      controlS: whole(env, 'NGINX_CACHE_CONTROL', 0, 31_536_000, 3600, errors),
      expiryS: whole(env, 'NGINX_CACHE_EXPIRY', 1, 31_536_000, 86400, errors),
    }
  }
  const include = setValue(env, 'NGINX_INCLUDE_FILE')
  if (include !== undefined && !isPlainRelativePath(include.replace(/^\.\//, ''))) {
    errors.push(`NGINX_INCLUDE_FILE=${JSON.stringify(include)}: give a path inside the app, such as nginx.conf (no leading /, no .., nothing hidden)`)
  }
  if (errors.length) return fail(...errors)
  return ok({
    httpsOnly: parseBool(env.NGINX_HTTPS_ONLY),
    cache,
    includeFile: include?.replace(/^\.\//, ''),
    cloudflareAcl: parseBool(env.NGINX_CLOUDFLARE_ACL),
    disableIpv6: parseBool(env.DISABLE_IPV6),
  })
}

/**
 * Cloudflare's published ranges, one CIDR a line (`#` comments allowed), as shipped in
 * templates/nginx/cloudflare-ips.txt. Every line must be an IPv4 or IPv6 CIDR: a bad file is an error,
 * never an empty (open) list.
 */
export function parseCidrList(text: string, file: string): Result<string[]> {
  const errors: string[] = []
  const out: string[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) return
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(line)
    const v6 = /^[0-9a-f:]+\/(\d{1,3})$/i.exec(line)
    if (v4 && v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32) out.push(line)
    else if (v6 && line.includes(':') && Number(v6[1]) <= 128) out.push(line.toLowerCase())
    else errors.push(`${file}:${i + 1}: not an IPv4 or IPv6 CIDR: ${JSON.stringify(line)}`)
  })
  if (errors.length) return fail(...errors)
  if (!out.length) return fail(`${file}: no ranges; NGINX_CLOUDFLARE_ACL would let nobody in`)
  return ok(out)
}
