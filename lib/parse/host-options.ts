// host-options: parse and validate the arguments of host-setup (user, ports, listen addresses, domain, key files,
// host-wide ACME settings).
import { isIPv4, isIPv6 } from 'node:net'
import { fail, ok, type Result } from '../errors.js'
import { parseAcmeSettings } from './acme-settings.js'

export interface HostOptions {
  user: string
  home: string
  httpPort: number
  httpsPort: number
  listen: string[] // IPv4 or [IPv6]; empty = every address
  domain: string // '' = none
  keys: string[] // public key files to authorize as admin
  acme: Record<string, string> // host-wide ACME_ROOT_CA, ACME_EMAIL, ACME_CA_BUNDLE, as given
}

export function validateUserName(name: string): Result<string> {
  return /^[a-z_][a-z0-9_-]{0,31}$/.test(name) ? ok(name) : fail(`--user: invalid user name "${name}" (expected ^[a-z_][a-z0-9_-]{0,31}$)`)
}

export function validatePort(flag: string, text: string): Result<number> {
  const n = Number(text)
  return /^[0-9]{1,5}$/.test(text) && n >= 1 && n <= 65535 ? ok(n) : fail(`${flag}: not a port number (1-65535): "${text}"`)
}

/** `127.0.0.1` or `[::1]`, as nginx's `listen` wants them. */
export function validateListen(addr: string): Result<string> {
  if (isIPv4(addr)) return ok(addr)
  const m = /^\[([0-9a-fA-F:.]+)\]$/.exec(addr)
  if (m && isIPv6(m[1])) return ok(addr.toLowerCase())
  return fail(`--listen: not an IPv4 address or a bracketed IPv6 address: "${addr}"`)
}

export function validateDomain(domain: string): Result<string> {
  const d = domain.toLowerCase()
  const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
  const dns = new RegExp(`^(?:${label}\\.)*${label}$`)
  return d.length <= 253 && dns.test(d) ? ok(d) : fail(`--domain: not a DNS name: "${domain}"`)
}

function validateHome(home: string): Result<string> {
  return /^\/[A-Za-z0-9._/-]*$/.test(home) && !home.split('/').includes('..')
    ? ok(home.replace(/\/+$/, '') || '/')
    : fail(`--home: not a plain absolute path: "${home}"`)
}

const ACME_FLAGS: Record<string, string> = { '--acme-ca': 'ACME_ROOT_CA', '--acme-email': 'ACME_EMAIL', '--acme-ca-bundle': 'ACME_CA_BUNDLE' }

/** Parse `--user NAME --home DIR --http-port N --https-port N [--listen ADDR]... [--domain D] [--key FILE]...
 *  [--acme-ca URL|letsencrypt|off] [--acme-email ADDR] [--acme-ca-bundle FILE.pem]` */
export function parseHostArgs(argv: string[]): Result<HostOptions> {
  const errors: string[] = []
  let user = 'piku'
  let home = ''
  let httpPort = 80
  let httpsPort = 443
  const listen: string[] = []
  let domain = ''
  const keys: string[] = []
  const acme: Record<string, string> = {}
  const take = <T>(r: Result<T>, set: (v: T) => void) => (r.ok ? set(r.value) : errors.push(...r.errors))
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (!['--user', '--home', '--http-port', '--https-port', '--listen', '--domain', '--key', ...Object.keys(ACME_FLAGS)].includes(flag)) {
      errors.push(`unknown argument: "${flag}"`)
      continue
    }
    if (value === undefined) {
      errors.push(`${flag}: missing value`)
      break
    }
    i++
    if (flag === '--user') take(validateUserName(value), (v) => (user = v))
    else if (flag === '--home') take(validateHome(value), (v) => (home = v))
    else if (flag === '--http-port') take(validatePort(flag, value), (v) => (httpPort = v))
    else if (flag === '--https-port') take(validatePort(flag, value), (v) => (httpsPort = v))
    else if (flag === '--listen') take(validateListen(value), (v) => listen.push(v))
    else if (flag === '--domain') take(validateDomain(value), (v) => (domain = v))
    else if (flag in ACME_FLAGS) {
      const key = ACME_FLAGS[flag]
      const checked = parseAcmeSettings({}, { [key]: value })
      if (checked.ok && value.trim()) acme[key] = value.trim()
      else errors.push(`${flag}: ${checked.ok ? 'missing value' : checked.errors[0]}`)
    }
    else if (value === '') errors.push('--key: missing file name')
    else keys.push(value)
  }
  if (httpPort === httpsPort && errors.length === 0) errors.push(`--http-port and --https-port are both ${httpPort}`)
  if (errors.length) return fail(...errors)
  return ok({ user, home: home || `/home/${user}`, httpPort, httpsPort, listen: [...new Set(listen)], domain, keys, acme })
}
