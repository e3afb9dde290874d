// acme-settings: where an app's certificate comes from (ACME_ROOT_CA, ACME_EMAIL, ACME_CA_BUNDLE, per app over
// host.env), which of its names a CA can validate over HTTP-01, and whether a certificate is due (pure).
import { type Result, ok, fail } from '../errors.js'

export const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory'
export const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory'
export const RENEW_BEFORE_DAYS = 30
/** After a failed attempt, scheduled runs wait this long before the next (a push tries at once). */
export const RETRY_AFTER_MS = 6 * 3600_000

export interface AcmeSettings {
  directory?: string // undefined: ACME is off, the self-signed certificate stays
  email?: string
  caBundle?: string // absolute path of a PEM file to trust for the directory
}

type Env = Record<string, string | undefined>

const URL_RE = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%\/-]*)?$/
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/
const ABS_PATH = /^\/[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*$/

const pick = (app: Env, host: Env, key: string): string | undefined => app[key]?.trim() || host[key]?.trim() || undefined

/** The app's env wins over host.env; ACME_ROOT_CA defaults to Let's Encrypt; `off` turns ACME off. */
export function parseAcmeSettings(app: Env, host: Env): Result<AcmeSettings> {
  const errors: string[] = []
  const out: AcmeSettings = {}
  const ca = pick(app, host, 'ACME_ROOT_CA') ?? 'letsencrypt'
  const alias: Record<string, string | undefined> = { letsencrypt: LETS_ENCRYPT, 'letsencrypt-staging': LETS_ENCRYPT_STAGING, off: undefined, none: undefined, false: undefined }
  if (ca.toLowerCase() in alias) out.directory = alias[ca.toLowerCase()]
  else if (URL_RE.test(ca) && !ca.split('/').includes('..')) out.directory = ca
  else errors.push(`ACME_ROOT_CA=${JSON.stringify(ca)}: expected an https:// directory URL, letsencrypt, letsencrypt-staging or off`)
  const email = pick(app, host, 'ACME_EMAIL')
  if (email !== undefined) {
    if (EMAIL.test(email)) out.email = email
    else errors.push(`ACME_EMAIL=${JSON.stringify(email)}: expected an address such as admin@example.org`)
  }
  const bundle = pick(app, host, 'ACME_CA_BUNDLE')
  if (bundle !== undefined) {
    if (ABS_PATH.test(bundle) && !bundle.split('/').includes('..')) out.caBundle = bundle
    else errors.push(`ACME_CA_BUNDLE=${JSON.stringify(bundle)}: expected the absolute path of a PEM file, such as /etc/ssl/homelab-ca.pem`)
  }
  return errors.length ? fail(...errors) : ok(out)
}

/** Top-level names no public CA issues for (RFC 2606, 6761, 6762, 8375 and common private ones). */
const PRIVATE_TLDS = new Set(['test', 'example', 'invalid', 'localhost', 'local', 'internal', 'lan', 'home', 'corp', 'onion', 'arpa'])

/**
 * The names a CA can validate over HTTP-01: no wildcard (that needs DNS-01), no IP address. With the
 * default CA (Let's Encrypt), names under private top-level domains are left out too: asking would only
 * spend the rate limit; a CA named in ACME_ROOT_CA (a homelab CA, a test CA) is asked for them.
 */
export function issuableNames(names: string[], directory: string): string[] {
  const publicCa = directory === LETS_ENCRYPT || directory === LETS_ENCRYPT_STAGING
  return names.filter((n) => {
    if (n.includes('*') || /^[\d.]+$/.test(n) || n.includes(':')) return false
    return !(publicCa && PRIVATE_TLDS.has(n.split('.').pop() ?? ''))
  })
}

/** What piku-hooks remembers of an app's certificate (certs/APP/state.json). */
export interface CertState {
  kind: 'self-signed' | 'acme'
  names: string[] // the names the live certificate covers
  directory?: string // the CA it came from
  issuer?: string
  notAfter?: string // ISO time
  lastAttempt?: string // ISO time of the last ACME attempt
  lastError?: string // its error, cleared by a success
  lastSuccess?: string
}

export type CertAction = { action: 'none'; reason: string } | { action: 'issue'; reason: string }

/** Whether to ask the CA now: no ACME certificate yet, names or CA changed, or due within 30 days. */
export function planCertificate(state: CertState | undefined, names: string[], directory: string | undefined, now: Date, scheduled: boolean): CertAction {
  if (!directory) return { action: 'none', reason: 'ACME is off (ACME_ROOT_CA=off); the self-signed certificate stays' }
  const wanted = issuableNames(names, directory)
  if (!wanted.length) return { action: 'none', reason: 'no name a CA can validate over HTTP-01 (wildcards, IP addresses and private names are left out)' }
  if (scheduled && state?.lastError && state.lastAttempt && now.getTime() - Date.parse(state.lastAttempt) < RETRY_AFTER_MS) {
    return { action: 'none', reason: `the last attempt failed at ${state.lastAttempt}; retrying later` }
  }
  if (state?.kind !== 'acme' || !state.notAfter) return { action: 'issue', reason: 'no certificate from the CA yet' }
  if (state.directory !== directory) return { action: 'issue', reason: 'ACME_ROOT_CA changed' }
  const have = new Set(state.names)
  if (wanted.some((n) => !have.has(n)) || state.names.length !== wanted.length) return { action: 'issue', reason: 'the server names changed' }
  const left = Date.parse(state.notAfter) - now.getTime()
  if (left < RENEW_BEFORE_DAYS * 86400_000) return { action: 'issue', reason: `it expires ${state.notAfter}` }
  return { action: 'none', reason: `valid until ${state.notAfter}` }
}
