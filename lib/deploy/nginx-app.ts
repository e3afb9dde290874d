// nginx-app: the edge between a release plan and render/nginx. Gathers what the renderer needs from disk
// (the certificate link, the shipped Cloudflare ranges; host.env's settings come from the caller), prepares the folders nginx will use
// (challenge webroot, cache folder, self-signed certificate), and after a switch starts a certificate
// request when one is due. The live file is rewritten (maintenance, basic auth) with write, validate, swap.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { activationNginxNext, appPaths, appTemplatePath, displayPath, hostPaths, templatePath } from '../state/paths.js'
import { renderNginxApp, listenValues, explainNginxError, NGINX_TEMPLATES, type NginxTemplates } from '../render/nginx.js'
import { checkTemplateCopy, findTemplateLine } from '../render/template.js'
import { escapeRegExp } from '../render/quote.js'
import { parseNginxSettings, parseCidrList, DEFAULT_MAX_BODY, type NginxSettings } from '../parse/nginx-settings.js'
import { parseNginxInclude, type NginxInclude } from '../parse/nginx-include.js'
import { readAppState } from '../state/app-state.js'
import { readActive, readPlan } from '../state/release.js'
import { writeFileAtomic, validateNginx, reloadNginx, httpBody, sleep } from '../host/system.js'
import { renameDurable } from '../host/atomic-file.js'
import { parseAcmeSettings, planCertificate, type AcmeSettings } from '../parse/acme-settings.js'
import { readHostSettings, type HostSettings } from '../state/host-settings.js'
import { ensureAcmeRoot, ensureSelfSigned, liveCert, readCertState, spawnIssuer } from '../state/certs.js'
import type { ReleasePlan } from '../state/release.js'
import { UserError, unwrap, type Result, isErrno } from '../errors.js'
import * as log from '../log.js'

/** The app's edited nginx templates (its copies in repos/APP/templates/nginx that differ from the stock). */
function editedNginxTemplates(app: string): { name: string; file: string; text: string }[] {
  const edited = []
  for (const n of NGINX_TEMPLATES) {
    const file = appTemplatePath(app, 'nginx', n)
    if (file === templatePath('nginx', n)) continue
    const text = readFileSync(file, 'utf8')
    if (text !== readFileSync(templatePath('nginx', n), 'utf8')) edited.push({ name: n, file, text })
  }
  return edited
}

/** The templates an app renders from: its own copies; an edit that breaks a placeholder fails the deploy
 *  naming the file. */
function readNginxTemplates(app: string): NginxTemplates {
  const t = {} as NginxTemplates
  for (const n of NGINX_TEMPLATES) t[n] = readFileSync(appTemplatePath(app, 'nginx', n), 'utf8')
  for (const e of editedNginxTemplates(app)) {
    const problem = checkTemplateCopy(e.text, readFileSync(templatePath('nginx', e.name), 'utf8'), displayPath(e.file))
    if (problem) throw new UserError(`${problem}; the running release is unchanged`)
  }
  return t
}

/**
 * nginx's complaint about an app's rendered file, with the template line it came from when the app renders
 * from edited templates: `repos/APP/templates/nginx/server-body.conf:7 (your edit): nginx: unknown directive ...`.
 */
export function explainNginxRejection(app: string, candidate: string, rendered: string, message: string): string {
  const edited = editedNginxTemplates(app)
  if (!edited.length) return message
  const files = edited.map((e) => ({ file: displayPath(e.file), text: e.text }))
  const at = new RegExp(`${escapeRegExp(candidate)}:(\\d+)`).exec(message)
  const line = at ? rendered.split('\n')[Number(at[1]) - 1] : undefined
  const from = line === undefined ? undefined : findTemplateLine(line, files)
  const nginxSays = message.replace(/^nginx rejected the configuration: /, '')
  if (from) return `${from.file}:${from.line} (your edit): nginx: ${nginxSays}; the running release is unchanged`
  return `nginx rejected the configuration rendered from your edited template(s) ${files.map((f) => f.file).join(', ')}: ${nginxSays}; the running release is unchanged`
}

/** The plan's nginx settings (plans written before they existed are read from their env). */
export function nginxSettingsOf(plan: ReleasePlan): NginxSettings {
  if (plan.nginx) return plan.nginx
  return unwrap(parseNginxSettings(plan.env, { home: hostPaths().root, app: plan.app }))
}

/**
 * A release's nginx settings, checked at build time so a mistake fails the push with one line: the
 * NGINX_* values, the ACME_* values (the app's over host.env's, returned for the activation's certificate
 * request), and NGINX_INCLUDE_FILE, which must be a file inside the release (after following links) so
 * nothing outside the app is pulled into nginx's configuration.
 */
export function planNginxSettings(env: Record<string, string>, dir: string, app: string, host: HostSettings): { nginx: NginxSettings; acme: AcmeSettings } {
  const nginx = unwrap(parseNginxSettings(env, { home: hostPaths().root, app }))
  const acme = unwrap(parseAcmeSettings(env, host.acme))
  if (nginx.includeFile) readNginxInclude(dir, nginx.includeFile, env)
  return { nginx, acme }
}

/**
 * NGINX_INCLUDE_FILE of a release: a file inside it (after following links, so nothing outside the app is
 * pulled into nginx's configuration), `$NAME` expanded from `env`, checked. Errors name FILE:LINE.
 */
export function readNginxInclude(dir: string, inc: string, env: Record<string, string>): NginxInclude {
  let real: string
  try {
    real = realpathSync(join(dir, inc))
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG')) throw e
    throw new UserError(`NGINX_INCLUDE_FILE="${inc}": no such file in this commit`)
  }
  const root = realpathSync(dir)
  if (!real.startsWith(root + sep) || !statSync(real).isFile()) throw new UserError(`NGINX_INCLUDE_FILE="${inc}": must be a file inside the app (links out of it are refused)`)
  return unwrap(parseNginxInclude(readFileSync(real, 'utf8'), inc, env, dir))
}

/** The page maintenance mode answers with: the release's own maintenance.html (a plain file), else the app's
 *  copy of ours (repos/APP/templates/nginx/maintenance.html). */
export function maintenancePage(dir: string, app: string): string {
  const own = join(dir, 'maintenance.html')
  try {
    if (lstatSync(own).isFile()) return own
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e
  }
  return appTemplatePath(app, 'nginx', 'maintenance.html')
}

/** Cloudflare's ranges (the app's copy of the shipped list); a missing or bad file fails the deploy (closed, not open). */
export function readCloudflareRanges(app: string): string[] {
  const file = appTemplatePath(app, 'nginx', 'cloudflare-ips.txt')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e
    throw new UserError(`NGINX_CLOUDFLARE_ACL: ${file} is missing; reinstall piku-hooks`)
  }
  const parsed = parseCidrList(text, file)
  if (!parsed.ok) throw new UserError(`NGINX_CLOUDFLARE_ACL: ${parsed.errors[0]}`)
  return parsed.value
}

/**
 * The app's nginx file for `plan` on `ports`, with the app's sticky site state (maintenance, basic auth)
 * read from disk, so every deploy, restart and rewrite keeps it. `stamp` marks a rewrite (see refreshNginx).
 */
export function renderNginxFor(plan: ReleasePlan, ports: Record<string, number[]>, token: string, host: HostSettings, stamp?: string): string | undefined {
  if (!plan.serverNames.length) return undefined
  const upstreamPorts = Object.values(ports).flat()
  if (!upstreamPorts.length && !plan.statics.length) return undefined
  const s = nginxSettingsOf(plan)
  if (s.cache && !upstreamPorts.length) throw new UserError('NGINX_CACHE_PREFIXES: the cache sits in front of a web or wsgi worker, and this app has none')
  const ipv6 = !s.disableIpv6
  const p = appPaths(plan.app)
  const state = readAppState(plan.app)
  return renderNginxApp(
    {
      app: plan.app,
      user: host.user,
      release: plan.id,
      token,
      serverNames: plan.serverNames,
      listen: listenValues(host.listen, host.httpPort, ipv6),
      tlsListen: listenValues(host.listen, host.httpsPort, ipv6),
      httpsPort: host.httpsPort,
      tls: liveCert(plan.app),
      httpsOnly: s.httpsOnly,
      upstreamPorts,
      statics: plan.statics,
      releaseDir: plan.dir,
      catchAll: plan.catchAll,
      allowGitFolders: plan.allowGitFolders,
      acmeRoot: hostPaths().acme,
      maxBody: s.maxBody ?? DEFAULT_MAX_BODY,
      proxyReadTimeoutS: s.proxyReadTimeoutS,
      proxySendTimeoutS: s.proxySendTimeoutS,
      hsts: s.hsts,
      cache: s.cache ? { dir: s.cache.path ?? p.nginxCache, settings: s.cache } : undefined,
      include: s.includeFile ? readNginxInclude(plan.dir, s.includeFile, plan.env) : undefined,
      cloudflare: s.cloudflareAcl ? readCloudflareRanges(plan.app) : undefined,
      auth: existsSync(p.authFile) ? { file: p.authFile } : undefined,
      maintenance: state.maintenance ? { page: maintenancePage(plan.dir, plan.app) } : undefined,
      stamp,
    },
    readNginxTemplates(plan.app),
  )
}

/**
 * Folders and files the rendered config names, made before nginx -t sees it: the challenge webroot,
 * the self-signed certificate (first time only), and the cache folder. The cache folder is the user's,
 * mode 0770 with group www-data (the user's primary group); nginx's master hands it to www-data on a
 * reload but keeps the mode, and with no `levels` every entry lies directly in it, so the user can still
 * delete them all (destroy).
 */
export async function prepareNginxFiles(plan: ReleasePlan): Promise<void> {
  ensureAcmeRoot()
  if (await ensureSelfSigned(plan.app, plan.serverNames)) log.info('made a self-signed certificate for HTTPS until a CA issues one')
  const s = nginxSettingsOf(plan)
  if (s.cache) {
    const p = appPaths(plan.app)
    const h = hostPaths()
    const dir = s.cache.path ?? p.nginxCache
    // every folder between the home and the cache folder: nginx's workers may pass through, not list
    const parts = relative(h.root, dirname(dir)).split(sep).filter(Boolean)
    let at = h.root
    for (const part of parts) {
      at = join(at, part)
      mkdirSync(at, { recursive: true, mode: 0o710 })
      chmodSync(at, 0o710)
    }
    if (!existsSync(dir)) {
      mkdirSync(dir, { mode: 0o770 })
      chmodSync(dir, 0o770)
    }
  }
}

/** nginx -t of an app's candidate file beside every other live file; errors in the include name its own lines. */
export async function validateNginxFile(app: string, candidate: string, text: string): Promise<void> {
  const h = hostPaths()
  try {
    await validateNginx(h.nginx, h.run, new Map([[app, candidate]]))
  } catch (e) {
    if (!(e instanceof UserError)) throw e
    const explained = explainNginxError(e.message, candidate, text)
    // a place in NGINX_INCLUDE_FILE is named already; otherwise an edited template may be the cause
    throw new UserError(explained !== e.message ? explained : explainNginxRejection(app, candidate, text, e.message))
    throw e
  }
}

/** After a reload, wait until nginx's new workers (on host.env's address and port) answer the release check with `expected`. */
export async function nginxServes(host: HostSettings, serverName: string, expected: string, timeoutMs = 10_000): Promise<boolean> {
  const addr = host.listen.find((a) => !a.startsWith('[')) ?? '127.0.0.1'
  const deadline = Date.now() + timeoutMs
  // three answers in a row: for a moment after a reload an old worker may still take a new connection
  let inRow = 0
  while (Date.now() < deadline) {
    const body = await httpBody(addr, host.httpPort, '/.well-known/piku-hooks-release', serverName)
    inRow = body.trim() === expected ? inRow + 1 : 0
    if (inRow === 3) return true
    await sleep(inRow ? 20 : 50)
  }
  return false
}

/**
 * Rewrite the live nginx file of an app from its active release (after maintenance or basic auth changed):
 * render, nginx -t, rename into place, reload, and wait until nginx serves it. False when the app has no
 * live site (not deployed, stopped, or without a server name): the state then applies at its next start.
 */
export async function refreshNginx(app: string): Promise<boolean> {
  const active = readActive(app)
  const plan = active && readPlan(app, active.release)
  if (!active || !plan) return false
  const host = readHostSettings()
  const stamp = Date.now().toString(36)
  const text = renderNginxFor(plan, active.ports, active.token, host, stamp)
  if (!text) return false
  const p = appPaths(app)
  const candidate = activationNginxNext(app, active.token)
  writeFileAtomic(candidate, text, 0o600)
  await validateNginxFile(app, candidate, text)
  renameDurable(candidate, p.nginxConf) // as activate's switch does: the new name survives a crash
  await reloadNginx()
  if (!(await nginxServes(host, plan.serverNames[0], `${active.token} ${stamp}`))) log.warn('nginx has not picked up the new configuration yet')
  return true
}

/** After a switch: ask the CA in the background when the certificate is missing, changed or due (`acme`: the
 *  release's ACME settings, parsed once by the caller). Never throws. */
export function requestCertificateIfDue(plan: ReleasePlan, acme: Result<AcmeSettings>): void {
  try {
    if (!plan.serverNames.length) return
    if (!acme.ok) return log.warn(`${acme.errors[0]} (HTTPS keeps the self-signed certificate)`)
    const action = planCertificate(readCertState(plan.app), plan.serverNames, acme.value.directory, new Date(), false)
    if (action.action !== 'issue') return
    spawnIssuer(plan.app)
    log.info(`asking ${acme.value.directory} for a certificate in the background (${action.reason}); see: certs`)
  } catch (e) {
    log.warn(`could not start the certificate request: ${(e as Error).message}`)
  }
}
