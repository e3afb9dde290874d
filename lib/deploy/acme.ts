// acme: get certificates from an ACME CA over HTTP-01 through nginx, as the user, outside any push: one
// app now (after an activation), or every app whose certificate is missing or due within 30 days (the
// daily renewal vassal); after a failure it waits 6 hours before asking again. The entry is
// lib/entries/acme-issue.ts. acme-client (and its axios, forge, x509) is imported here only, when a certificate
// is asked for.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { parseAcmeSettings, planCertificate, issuableNames, type AcmeSettings } from '../parse/acme-settings.js'
import { ensureAcmeRoot, installIssued, readCertInfo, readCertState, writeCertState } from '../state/certs.js'
import { appPaths, hostPaths, joinWithin } from '../state/paths.js'
import { readHostSettings, type HostSettings } from '../state/host-settings.js'
import { readActive, readPlan } from '../state/release.js'
import { validateAppName } from '../parse/app-name.js'
import * as log from '../log.js'

export const ISSUE_TIMEOUT_MS = 180_000

const say = (app: string, text: string) => log.outLine(`${new Date().toISOString()} ${app}: ${text}`)

async function accountKey(dir: string, crypto: { createPrivateEcdsaKey(): Promise<Buffer> }): Promise<Buffer> {
  const accounts = hostPaths().acmeAccounts
  mkdirSync(accounts, { recursive: true, mode: 0o700 })
  const file = joinWithin(accounts, `${createHash('sha256').update(dir).digest('hex').slice(0, 32)}.pem`)
  if (existsSync(file)) return readFileSync(file)
  const key = await crypto.createPrivateEcdsaKey()
  writeFileSync(file, key, { mode: 0o600, flag: 'wx' })
  return key
}

/**
 * Reach the directory first, with a short timeout: acme-client retries network errors for over a minute
 * and then reports them as a TypeError, so an unreachable CA gets its own plain error here.
 */
async function checkDirectory(url: string, ca: string | undefined): Promise<void> {
  const { request } = await import('node:https')
  const { rootCertificates } = await import('node:tls')
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: 15_000, ...(ca ? { ca: [...rootCertificates, ca] } : {}) }, (res) => {
      res.resume()
      if (res.statusCode === 200) resolve()
      else reject(new Error(`the CA directory ${url} answered HTTP ${res.statusCode}`))
    })
    req.on('timeout', () => req.destroy(new Error('no answer in 15s')))
    req.on('error', (e) => reject(new Error(`cannot reach the CA directory ${url}: ${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`.replace(/\s+/g, ' '))))
    req.end()
  })
}

/** One order: account, HTTP-01 challenges written to ~/acme (served by nginx), CSR, certificate. */
async function order(names: string[], s: AcmeSettings & { directory: string }): Promise<{ fullchain: string; key: string }> {
  const bundle = s.caBundle ? readFileSync(s.caBundle, 'utf8') : undefined
  await checkDirectory(s.directory, bundle)
  const acme = (await import('acme-client')).default
  if (bundle) {
    const { Agent } = await import('node:https')
    const { rootCertificates } = await import('node:tls')
    acme.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, bundle] })
  }
  const client = new acme.Client({ directoryUrl: s.directory, accountKey: await accountKey(s.directory, acme.crypto), backoffAttempts: 12, backoffMin: 1000, backoffMax: 10_000 })
  const [key, csr] = await acme.crypto.createCsr({ ...(names[0].length <= 64 ? { commonName: names[0] } : {}), altNames: names }, await acme.crypto.createPrivateEcdsaKey())
  const webroot = ensureAcmeRoot()
  const tokenFile = (token: string) => {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error(`the CA sent an unusable challenge token ${JSON.stringify(token.slice(0, 80))}`)
    return joinWithin(webroot, token)
  }
  const fullchain = await client.auto({
    csr,
    email: s.email,
    termsOfServiceAgreed: true,
    challengePriority: ['http-01'],
    // the CA checks the challenge itself; a pre-check from here would resolve the name with this host's
    // resolver and reach this host's own port 80, neither of which need be what the CA sees
    skipChallengeVerification: true,
    challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
      writeFileSync(tokenFile(challenge.token), keyAuthorization, { mode: 0o640 })
    },
    challengeRemoveFn: async (_authz, challenge) => {
      rmSync(tokenFile(challenge.token), { force: true })
    },
  })
  return { fullchain, key: key.toString() }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no certificate after ${ms / 1000}s`)), ms)
    timer.unref()
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    )
  })
}

/** Issue or renew one app's certificate if it needs it (the app's ACME settings over `host`'s); every outcome
 *  is recorded in its state. */
export async function issueFor(app: string, scheduled: boolean, host: HostSettings): Promise<'issued' | 'skipped' | 'failed'> {
  const active = readActive(app)
  const plan = active ? readPlan(app, active.release) : undefined
  if (!active || !plan || !existsSync(appPaths(app).nginxConf)) return 'skipped' // not served: nothing to validate through
  const settings = parseAcmeSettings(plan.env, host.acme)
  const state = readCertState(app)
  const now = new Date()
  if (!settings.ok) {
    writeCertState(app, { kind: state?.kind ?? 'self-signed', names: state?.names ?? [], ...state, lastAttempt: now.toISOString(), lastError: settings.errors[0] })
    say(app, settings.errors[0])
    return 'failed'
  }
  const directory = settings.value.directory
  const plan_ = planCertificate(state, plan.serverNames, directory, now, scheduled)
  if (plan_.action === 'none' || !directory) {
    say(app, `no certificate asked for: ${plan_.reason}`)
    return 'skipped'
  }
  const names = issuableNames(plan.serverNames, directory)
  say(app, `asking ${directory} for ${names.join(', ')} (${plan_.reason})`)
  const base = { kind: state?.kind ?? ('self-signed' as const), names: state?.names ?? [], ...state }
  try {
    const got = await withTimeout(order(names, { ...settings.value, directory }), ISSUE_TIMEOUT_MS)
    const info = readCertInfo(got.fullchain)
    installIssued(app, got.fullchain, got.key, now)
    writeCertState(app, { kind: 'acme', names, directory, issuer: info.issuer, notAfter: info.notAfter, lastAttempt: now.toISOString(), lastSuccess: new Date().toISOString() })
    const { reloadNginx } = await import('../host/system.js')
    await reloadNginx()
    say(app, `certificate from ${info.issuer} for ${names.join(', ')}, valid until ${info.notAfter}`)
    return 'issued'
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 400)
    writeCertState(app, { ...base, lastAttempt: now.toISOString(), lastError: msg })
    say(app, `certificate request failed: ${msg}`)
    return 'failed'
  }
}

/** One issuer per app at a time; a second start while one runs leaves it alone. */
async function issueLocked(app: string, scheduled: boolean, host: HostSettings): Promise<string> {
  const { acquireLock, releaseLock, readLock } = await import('../state/lock.js')
  const { pidAlive } = await import('../host/system.js')
  const lock = appPaths(app).certsLock
  const held = readLock(lock)
  if (held && held.pid !== process.pid && pidAlive(held.pid)) return 'busy'
  await acquireLock(lock, process.pid, 'certificate request', 1000)
  try {
    return await issueFor(app, scheduled, host)
  } finally {
    releaseLock(lock, process.pid)
  }
}

/** Issue for `apps`, or (`due`) for every app whose certificate is due; returns the exit code (1: one failed).
 *  host.env is read once, for every app of the run. */
export async function issueCertificates(argApps: string[], due: boolean): Promise<number> {
  const host = readHostSettings()
  const apps = due ? (existsSync(hostPaths().apps) ? readdirSync(hostPaths().apps).filter((a) => validateAppName(a).ok) : []) : argApps
  let failed = 0
  for (const app of apps) {
    if (!validateAppName(app).ok) throw new Error(`invalid app name ${JSON.stringify(app)}`)
    const outcome = await issueLocked(app, due, host).catch((e: Error) => (say(app, `certificate run failed: ${e.message}`), 'failed'))
    if (outcome === 'failed') failed++
  }
  return failed ? 1 : 0
}
