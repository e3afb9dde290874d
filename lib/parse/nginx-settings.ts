// nginx-settings: the per-app nginx options piku-hooks acts on (HTTPS-only, cache, include file, Cloudflare
// ACL, IPv6, body size, proxy timeouts, HSTS), read from an app's composed env and checked against
// allow-lists (pure).
//
// piku's names are kept; booleans follow piku's get_boolean (parseBool: anything but 1/on/true/... is false).
// An empty value counts as unset; a set but wrong value is an error naming the key and what it accepts.
import { type Result, ok, fail } from '../errors.js'
import { parseBool } from './settings.js'

export interface CacheSettings {
  prefixes: string[] // URL prefixes without their leading '/', e.g. 'api', 'static/img'
  sizeGb: number // NGINX_CACHE_SIZE: max_size in GB
  timeS: number // NGINX_CACHE_TIME: how long a 200/304 answer stays valid
  redirectsS?: number // NGINX_CACHE_REDIRECTS: how long a 301/307 answer stays valid (absent in older plans: 3600)
  anyS?: number // NGINX_CACHE_ANY: how long any other answer but 5xx stays valid (absent in older plans: 3600)
  controlS: number // NGINX_CACHE_CONTROL: the max-age sent to clients
  expiryS: number // NGINX_CACHE_EXPIRY: unused entries are dropped after this long
  path?: string // NGINX_CACHE_PATH: absolute, inside the user's home; absent: cache/APP/nginx
}

export interface HstsSettings {
  maxAgeS: number // NGINX_HSTS_MAX_AGE
  subdomains: boolean // NGINX_HSTS_SUBDOMAINS: includeSubDomains
}

export interface NginxSettings {
  httpsOnly: boolean
  cache?: CacheSettings
  includeFile?: string // relative to the release folder; checked against the files at build time
  cloudflareAcl: boolean
  disableIpv6: boolean
  maxBody?: string // NGINX_CLIENT_MAX_BODY_SIZE, e.g. 100m (absent in older plans: 100m)
  proxyReadTimeoutS?: number // NGINX_PROXY_READ_TIMEOUT (absent: nginx's 60 s)
  proxySendTimeoutS?: number // NGINX_PROXY_SEND_TIMEOUT (absent: nginx's 60 s)
  hsts?: HstsSettings // NGINX_HSTS: Strict-Transport-Security on HTTPS answers
}

/** Where the app lives, for the checks that depend on it (NGINX_CACHE_PATH must stay in the home). */
export interface NginxPlace {
  home: string // the piku-hooks user's home
  app: string
}

export const DEFAULT_MAX_BODY = '100m'

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

const TRUE = new Set(['1', 'on', 'true', 'enabled', 'yes', 'y'])
const FALSE = new Set(['0', 'off', 'false', 'disabled', 'no', 'n'])

/** A yes/no key of ours (not piku's lenient get_boolean): anything but the known words is an error. */
function strictBool(env: Env, key: string, fallback: boolean, errors: string[]): boolean {
  const raw = setValue(env, key)
  if (raw === undefined) return fallback
  const v = raw.toLowerCase()
  if (TRUE.has(v)) return true
  if (FALSE.has(v)) return false
  errors.push(`${key}=${JSON.stringify(raw)}: expected true or false (1/0, yes/no, on/off)`)
  return fallback
}

/** NGINX_CLIENT_MAX_BODY_SIZE: nginx's size syntax, `0` (no limit) or N with k, m or g. */
export function parseBodySize(raw: string): string | undefined {
  const m = /^(\d{1,6})([kmg]?)$/i.exec(raw)
  return m ? `${Number(m[1])}${m[2].toLowerCase()}` : undefined
}

/** A timeout: N seconds, or N with s, m or h; from 1 s to 24 h. */
export function parseSeconds(raw: string): number | undefined {
  const m = /^(\d{1,5})(s|m|h)?$/.exec(raw)
  if (!m) return undefined
  const n = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1)
  return n >= 1 && n <= 86400 ? n : undefined
}

function seconds(env: Env, key: string, errors: string[]): number | undefined {
  const raw = setValue(env, key)
  if (raw === undefined) return undefined
  const n = parseSeconds(raw)
  if (n === undefined) errors.push(`${key}=${JSON.stringify(raw)}: expected seconds from 1 to 86400, such as 120, 90s, 5m or 1h`)
  return n
}

// the home's own folders: nginx's master hands a cache folder to www-data, so none of these may be one
const PRIVATE_TOP = new Set(['.ssh', 'apps', 'repos', 'config', 'certs', 'data', 'deps', 'logs', 'nginx', 'run', 'uwsgi', 'acme', 'auth', 'host.env'])

/**
 * NGINX_CACHE_PATH: a folder inside the user's home (absolute, or relative to the home), not the home's own
 * folders (config, data, apps, ...), and under cache/ only the app's own cache/APP/. nginx's workers write
 * into it, so it must not be anything else.
 */
export function planCachePath(raw: string, place: NginxPlace): Result<string> {
  const home = place.home.replace(/\/+$/, '')
  const rel = raw.startsWith('/') ? (raw.startsWith(home + '/') ? raw.slice(home.length + 1) : undefined) : raw.replace(/^\.\//, '')
  const what = `NGINX_CACHE_PATH=${JSON.stringify(raw)}`
  if (rel === undefined) return fail(`${what}: must be a folder inside ${home} (the cache is written by nginx's workers; nothing outside the home)`)
  const clean = rel.replace(/\/+$/, '')
  if (!clean || !isPlainRelativePath(clean)) return fail(`${what}: give a plain folder path inside ${home}, such as ${home}/cache/${place.app}/big (no .., nothing hidden, no spaces)`)
  const segs = clean.split('/')
  if (segs[0] === 'cache') {
    if (segs.length < 3 || segs[1] !== place.app) return fail(`${what}: under ${home}/cache only the app's own ${home}/cache/${place.app}/... folders`)
  } else if (PRIVATE_TOP.has(segs[0])) {
    return fail(`${what}: ${home}/${segs[0]} belongs to piku-hooks; use a folder of its own, such as ${home}/cache/${place.app}/big`)
  }
  return ok(`${home}/${clean}`)
}

export function parseNginxSettings(env: Env, place?: NginxPlace): Result<NginxSettings> {
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
      redirectsS: whole(env, 'NGINX_CACHE_REDIRECTS', 0, 31_536_000, 3600, errors),
      anyS: whole(env, 'NGINX_CACHE_ANY', 0, 31_536_000, 3600, errors),
      controlS: whole(env, 'NGINX_CACHE_CONTROL', 0, 31_536_000, 3600, errors),
      expiryS: whole(env, 'NGINX_CACHE_EXPIRY', 1, 31_536_000, 86400, errors),
    }
    const path = setValue(env, 'NGINX_CACHE_PATH')
    if (path !== undefined && place) {
      const p = planCachePath(path, place)
      if (p.ok) cache.path = p.value
      else errors.push(...p.errors)
    }
  }
  let maxBody = DEFAULT_MAX_BODY
  const rawBody = setValue(env, 'NGINX_CLIENT_MAX_BODY_SIZE')
  if (rawBody !== undefined) {
    const b = parseBodySize(rawBody)
    if (b === undefined) errors.push(`NGINX_CLIENT_MAX_BODY_SIZE=${JSON.stringify(rawBody)}: expected a size such as 100m, 512k or 1g (0: no limit)`)
    else maxBody = b
  }
  const proxyReadTimeoutS = seconds(env, 'NGINX_PROXY_READ_TIMEOUT', errors)
  const proxySendTimeoutS = seconds(env, 'NGINX_PROXY_SEND_TIMEOUT', errors)
  let hsts: HstsSettings | undefined
  if (strictBool(env, 'NGINX_HSTS', false, errors)) {
    hsts = { maxAgeS: whole(env, 'NGINX_HSTS_MAX_AGE', 0, 63_072_000, 31_536_000, errors), subdomains: strictBool(env, 'NGINX_HSTS_SUBDOMAINS', false, errors) }
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
    maxBody,
    ...(proxyReadTimeoutS !== undefined ? { proxyReadTimeoutS } : {}),
    ...(proxySendTimeoutS !== undefined ? { proxySendTimeoutS } : {}),
    ...(hsts ? { hsts } : {}),
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
