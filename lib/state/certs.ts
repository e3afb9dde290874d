// certs: each app's certificate on disk, under certs/APP (0700, the user's): `live` links to `self-signed/` or
// `acme-TIME/` (fullchain.pem, key.pem 0600), switched with one rename; state.json records where it came from
// and the last ACME attempt. nginx's master reads the files as root; nothing here needs root.
import { X509Certificate } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import type { CertState } from '../parse/acme-settings.js'
import { appPaths, certDir, certFiles, hostPaths, toolkitScript } from './paths.js'
import { runCapture, spawnDetached } from '../host/run.js'
import { swapSymlink } from '../host/atomic-file.js'
import { readRecordFile, writeRecordFile, recordValue, isRecordObject, type RecordCheck } from './record-file.js'
import { UserError, isErrno } from '../errors.js'
import type { CertReport } from '../render/cert-report.js'

export interface LiveCert {
  cert: string
  key: string
}

/** The files nginx names: always the `live` link, whichever certificate it points at. */
export function liveCert(app: string): LiveCert {
  return certFiles(appPaths(app).certLive)
}

/** What makes certs/APP/state.json valid: an object naming the certificate's kind. */
function checkCertState(v: unknown): RecordCheck<CertState> {
  return isRecordObject(v) && typeof v.kind === 'string' ? { value: v as unknown as CertState } : { why: 'not a certificate state' }
}

/** certs/APP/state.json; undefined when missing or damaged (the next certificate or request rewrites it). */
export function readCertState(app: string): CertState | undefined {
  return recordValue(readRecordFile(appPaths(app).certState, checkCertState))
}

export function writeCertState(app: string, state: CertState): void {
  writeRecordFile(appPaths(app).certState, state)
}

export interface CertInfo {
  issuer: string
  notAfter: string // ISO
  names: string[]
}

/** Issuer, expiry and names of the first certificate in a PEM chain. */
export function readCertInfo(pem: string): CertInfo {
  const x = new X509Certificate(pem)
  const names = (x.subjectAltName ?? '')
    .split(/,\s*/)
    .map((s) => s.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean)
  const issuer = /(?:^|\n)O=([^\n]+)/.exec(x.issuer)?.[1] ?? /(?:^|\n)CN=([^\n]+)/.exec(x.issuer)?.[1] ?? x.issuer.replace(/\n/g, ', ')
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x.issuer)?.[1]
  return { issuer: cn && !issuer.includes(cn) ? `${issuer} (${cn})` : issuer, notAfter: new Date(x.validTo).toISOString(), names }
}

export function readLiveInfo(app: string): CertInfo | undefined {
  let pem: string
  try {
    pem = readFileSync(liveCert(app).cert, 'utf8')
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no certificate yet
    return undefined
  }
  try {
    return readCertInfo(pem)
  } catch {
    // pure parsing: X509Certificate throws (with OpenSSL's varied codes) on any PEM it cannot read, which means "no usable certificate"
    return undefined
  }
}

/** What `certs` and doctor report of an app's certificate: the live one, and the state of ACME. */
export function readCertReport(app: string): CertReport {
  const state = readCertState(app)
  const live = readLiveInfo(app)
  return {
    app,
    kind: live ? (state?.kind ?? 'self-signed') : 'none',
    names: live?.names ?? state?.names ?? [],
    issuer: live?.issuer,
    notAfter: live?.notAfter,
    directory: state?.directory,
    lastAttempt: state?.lastAttempt,
    lastSuccess: state?.lastSuccess,
    lastError: state?.lastError,
  }
}

/** Point `live` at `dir` (a folder beside it) with one rename. */
function switchLive(app: string, dir: string): void {
  swapSymlink(appPaths(app).certLive, dir)
}

/**
 * Until a CA has issued one, an app is served over HTTPS with a self-signed certificate, made once per
 * app with openssl (EC P-256: fast on a Pi). Returns false when one already existed.
 */
export async function ensureSelfSigned(app: string, names: string[]): Promise<boolean> {
  const p = appPaths(app)
  mkdirSync(hostPaths().certs, { recursive: true, mode: 0o700 })
  mkdirSync(p.certs, { recursive: true, mode: 0o700 })
  const { cert, key } = liveCert(app)
  if (existsSync(cert) && existsSync(key)) return false
  const dir = certDir(app, 'self-signed')
  const tmp = certDir(app, `.self-signed.${process.pid}.tmp`)
  const made = certFiles(tmp)
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { mode: 0o700 })
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')
  const r = await runCapture('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', made.key, '-out', made.cert, '-days', '3650',
    '-subj', '/O=piku-hooks/CN=piku-hooks self-signed', '-addext', `subjectAltName=${san}`,
  ])
  if (r.code !== 0) {
    rmSync(tmp, { recursive: true, force: true })
    throw new UserError(`openssl could not make a self-signed certificate for ${app}: ${r.stderr.trim().split('\n')[0]}`)
  }
  chmodSync(made.key, 0o600)
  rmSync(dir, { recursive: true, force: true })
  renameSync(tmp, dir)
  switchLive(app, 'self-signed')
  const info = readCertInfo(readFileSync(certFiles(dir).cert, 'utf8'))
  writeCertState(app, { ...readCertState(app), kind: 'self-signed', names, issuer: info.issuer, notAfter: info.notAfter })
  return true
}

/** Put an issued certificate in place beside the live one, switch `live` to it, drop older ones. */
export function installIssued(app: string, fullchain: string, key: string, now = new Date()): string {
  const certs = appPaths(app).certs
  const name = `acme-${now.toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`
  const tmp = certDir(app, `.${name}.tmp`)
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { mode: 0o700 })
  writeFileSync(certFiles(tmp).key, key, { mode: 0o600 })
  writeFileSync(certFiles(tmp).cert, fullchain, { mode: 0o644 })
  rmSync(certDir(app, name), { recursive: true, force: true })
  renameSync(tmp, certDir(app, name))
  switchLive(app, name)
  for (const d of readdirSync(certs)) {
    if (d.startsWith('acme-') && d !== name) rmSync(certDir(app, d), { recursive: true, force: true })
  }
  return name
}

/** The challenge webroot: the user's, group www-data (the user's primary group), so nginx reads it and nothing else. */
export function ensureAcmeRoot(): string {
  const dir = hostPaths().acme
  mkdirSync(dir, { recursive: true, mode: 0o750 })
  chmodSync(dir, 0o750)
  return dir
}

/**
 * Ask the CA in the background: the push (or verb) returns at once, and a slow or failing CA never holds
 * or fails it. The outcome goes to certs/APP/state.json (the `certs` verb) and logs/APP/certs.log.
 */
export function spawnIssuer(app: string): void {
  spawnDetached(toolkitScript('acme-issue.js'), [app], appPaths(app).certsLog)
}
