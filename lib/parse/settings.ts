// settings: read the app settings piku-hooks acts on (uwsgi tuning, server names, health check,
// releases kept, config:set arguments) out of an app's env, each checked against an allow-list.
//
// An empty value counts as unset (the default applies). A value that is set but wrong is an error
// naming the key and what it accepts; nothing is ignored silently.

import { validateConfigKey } from './app-name.js'
import { type Result, ok } from '../errors.js'
import { parseHealthStatus, parseHealthContent, type StatusRange } from './health.js'

const TRUE = new Set(['1', 'on', 'true', 'enabled', 'yes', 'y'])
const FALSE = new Set(['0', 'off', 'false', 'disabled', 'no', 'n'])

/** piku's get_boolean: 1, on, true, enabled, yes, y (any case) are true; anything else is false. */
export function parseBool(v?: string): boolean {
  return v !== undefined && TRUE.has(v.trim().toLowerCase())
}

/** `config:set APP K=V...` arguments: each split at its first `=`, every key checked before any is used. */
export function parseSettingArgs(args: string[]): Result<[string, string][]> {
  if (args.length === 0) return { ok: false, errors: ['config:set: give at least one KEY=VALUE'] }
  const errors: string[] = []
  const pairs: [string, string][] = []
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq < 0) {
      errors.push(
        `config:set: argument ${JSON.stringify(arg)} is not KEY=VALUE (to keep spaces in a value, quote it twice: K='"a b"')`,
      )
      continue
    }
    const key = arg.slice(0, eq)
    const valid = validateConfigKey(key)
    if (!valid.ok) {
      errors.push(`config:set: argument ${JSON.stringify(arg)}: ${valid.errors[0]}`)
      continue
    }
    pairs.push([key, arg.slice(eq + 1)])
  }
  if (errors.length > 0) return { ok: false, errors }
  return ok(pairs)
}

/** uwsgi tuning read from the app env; the field names match render/uwsgi's VassalSettings. */
export type UwsgiSettings = {
  processes: number
  threads: number
  maxRequests: number
  listen: number
  enableThreads: boolean
  logMaxSize: number
  idle?: number
  logXForwardedFor: boolean
  gevent?: number // UWSGI_GEVENT: wsgi workers on uwsgi's gevent loop, N async cores (Debian's uwsgi-plugin-gevent-python3)
  asyncio?: number // UWSGI_ASYNCIO: wsgi workers on uwsgi's asyncio loop, N async cores (uwsgi-plugin-asyncio-python3)
}

type Env = Record<string, string | undefined>

/** Read UWSGI_* settings, with defaults; every bad value is reported. */
export function parseUwsgiSettings(env: Env): Result<UwsgiSettings> {
  const errors: string[] = []
  const settings: UwsgiSettings = {
    processes: wholeNumber(env, 'UWSGI_PROCESSES', 1, 64, 1, errors),
    threads: wholeNumber(env, 'UWSGI_THREADS', 1, 64, 4, errors),
    maxRequests: wholeNumber(env, 'UWSGI_MAX_REQUESTS', 1, 10_000_000, 1024, errors),
    listen: wholeNumber(env, 'UWSGI_LISTEN', 1, 65535, 100, errors),
    enableThreads: strictBool(env, 'UWSGI_ENABLE_THREADS', true, errors),
    logMaxSize: wholeNumber(env, 'UWSGI_LOG_MAXSIZE', 4096, 2 ** 31 - 1, 1048576, errors),
    logXForwardedFor: strictBool(env, 'UWSGI_LOG_X_FORWARDED_FOR', false, errors),
  }
  if (isSet(env, 'UWSGI_IDLE')) settings.idle = wholeNumber(env, 'UWSGI_IDLE', 1, 86400, 0, errors)
  if (isSet(env, 'UWSGI_GEVENT')) settings.gevent = wholeNumber(env, 'UWSGI_GEVENT', 1, 10_000, 0, errors)
  if (isSet(env, 'UWSGI_ASYNCIO')) settings.asyncio = wholeNumber(env, 'UWSGI_ASYNCIO', 1, 10_000, 0, errors)
  if (isSet(env, 'UWSGI_GEVENT') && isSet(env, 'UWSGI_ASYNCIO')) errors.push('UWSGI_GEVENT and UWSGI_ASYNCIO: set one of them, not both (each is a loop engine of its own)')
  if (errors.length > 0) return { ok: false, errors }
  return ok(settings)
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

/**
 * NGINX_SERVER_NAME: names separated by commas or whitespace, each a DNS name, `*.` + a DNS name,
 * or an IPv4 address; lowercased, duplicates dropped, order kept. An empty value gives [].
 */
export function parseServerNames(v: string): Result<string[]> {
  const errors: string[] = []
  const names: string[] = []
  for (const raw of v.split(/[\s,]+/)) {
    if (raw === '') continue
    const name = raw.toLowerCase()
    if (!isServerName(name)) {
      errors.push(
        `NGINX_SERVER_NAME: ${JSON.stringify(raw)} is not a host name; use names like example.com, *.example.com or an IPv4 address, separated by commas or spaces`,
      )
      continue
    }
    if (!names.includes(name)) names.push(name)
  }
  if (errors.length > 0) return { ok: false, errors }
  return ok(names)
}

function isServerName(name: string): boolean {
  if (IPV4.test(name)) return true
  const host = name.startsWith('*.') ? name.slice(2) : name
  if (host.length > 253) return false
  const labels = host.split('.')
  // an all-digit last label would be a mistyped address, not a name
  return labels.every(l => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1])
}

export type HealthSettings = { path: string; timeout: number; status?: StatusRange[]; content?: string }

const HEALTH_PATH = /^\/[\x21-\x7e]{0,1023}$/

/** PIKU_HEALTH_PATH (default `/`), PIKU_HEALTH_TIMEOUT (seconds, 1..600, default 30), PIKU_HEALTH_STATUS and
 *  PIKU_HEALTH_CONTENT (lib/parse/health.ts; unset: any status below 500, any body). */
export function parseHealth(env: Env): Result<HealthSettings> {
  const errors: string[] = []
  let path = '/'
  const raw = env.PIKU_HEALTH_PATH
  if (raw !== undefined && raw !== '') {
    if (HEALTH_PATH.test(raw)) path = raw
    else
      errors.push(
        `PIKU_HEALTH_PATH=${JSON.stringify(raw)}: expected a path starting with "/" without spaces or control characters (at most 1024 characters)`,
      )
  }
  const timeout = wholeNumber(env, 'PIKU_HEALTH_TIMEOUT', 1, 600, 30, errors)
  const status = parseHealthStatus(env.PIKU_HEALTH_STATUS)
  if (!status.ok) errors.push(...status.errors)
  const content = parseHealthContent(env.PIKU_HEALTH_CONTENT)
  if (!content.ok) errors.push(...content.errors)
  if (errors.length > 0 || !status.ok || !content.ok) return { ok: false, errors }
  return ok({ path, timeout, ...(status.value ? { status: status.value } : {}), ...(content.value !== undefined ? { content: content.value } : {}) })
}

/** PIKU_KEEP_RELEASES: how many releases to keep on disk (1..100, default 5). */
export function parseKeepReleases(env: Env): Result<number> {
  const errors: string[] = []
  const n = wholeNumber(env, 'PIKU_KEEP_RELEASES', 1, 100, 5, errors)
  if (errors.length > 0) return { ok: false, errors }
  return ok(n)
}

function isSet(env: Env, key: string): boolean {
  const v = env[key]
  return v !== undefined && v.trim() !== ''
}

function wholeNumber(env: Env, key: string, min: number, max: number, fallback: number, errors: string[]): number {
  if (!isSet(env, key)) return fallback
  const raw = env[key] as string
  const v = raw.trim()
  const n = /^\d{1,15}$/.test(v) ? Number(v) : NaN
  if (n >= min && n <= max) return n
  errors.push(`${key}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`)
  return fallback
}

/** A true/false setting (`1/0, yes/no, on/off, true/false`), `fallback` when unset; anything else is an error. */
export function parseStrictBool(env: Env, key: string, fallback: boolean): Result<boolean> {
  const errors: string[] = []
  const v = strictBool(env, key, fallback, errors)
  return errors.length ? { ok: false, errors } : ok(v)
}

function strictBool(env: Env, key: string, fallback: boolean, errors: string[]): boolean {
  if (!isSet(env, key)) return fallback
  const raw = env[key] as string
  const v = raw.trim().toLowerCase()
  if (TRUE.has(v)) return true
  if (FALSE.has(v)) return false
  errors.push(`${key}=${JSON.stringify(raw)}: expected true or false (also 1/0, yes/no, on/off)`)
  return fallback
}
