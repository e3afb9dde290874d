// render/nginx: one app's nginx server blocks, from validated values and the templates in templates/nginx.
// A variant is chosen by choosing a template file (app.conf or app-https-only.conf); every value passes an
// allow-list here before it reaches a template, and the templates hold no logic.
//
// NGINX_INCLUDE_FILE's text is pasted line for line between two marker comments (so an nginx -t error in it
// maps back to the include's own line), and every server-level directive or location it sets replaces ours.
import { renderTemplate } from './template.js'
import { escapeRegExp } from './quote.js'
import type { CacheSettings, HstsSettings } from '../parse/nginx-settings.js'
import { locationKey, type NginxInclude } from '../parse/nginx-include.js'

export interface StaticMapping {
  url: string // '/' or '/prefix/' (always ends with '/')
  dir: string // absolute folder, always ends with '/'
}

export interface NginxAppSpec {
  app: string
  user: string // the host user; upstream, zone and variable names must not collide between users on one nginx
  release: string
  token: string // this activation's id, answered on /.well-known/piku-hooks-release
  serverNames: string[]
  listen: string[] // HTTP: `ADDR:PORT` or `PORT` or `[::]:PORT`
  tlsListen: string[] // HTTPS, same shapes
  httpsPort: number
  tls: { cert: string; key: string }
  httpsOnly: boolean
  upstreamPorts: number[] // loopback ports of the web/wsgi workers; empty for static-only apps
  statics: StaticMapping[]
  releaseDir?: string // the release folder: nginx checks every link below it (the app may swap a folder in it for a link)
  catchAll?: string
  allowGitFolders: boolean
  acmeRoot: string
  maxBody: string
  proxyReadTimeoutS?: number
  proxySendTimeoutS?: number
  hsts?: HstsSettings
  cache?: { dir: string; settings: CacheSettings }
  include?: NginxInclude // the app's NGINX_INCLUDE_FILE, read and expanded
  cloudflare?: string[] // CIDRs: NGINX_CLOUDFLARE_ACL is on
  auth?: { file: string } // auth:add users: the htpasswd file nginx's workers read
  maintenance?: { page: string } // maintenance:on: the HTML file every request but the ACME challenge gets, with 503
  stamp?: string // added to the release check's answer, so a rewrite without a new release can be seen to be live
}

/** Every template this renderer uses, by name: the caller reads them (I/O stays at the edge). */
export const NGINX_TEMPLATES = [
  'app.conf',
  'app-https-only.conf',
  'server-body.conf',
  'server-maintenance.conf',
  'locations-own.conf',
  'hsts-map.conf',
  'auth-basic.conf',
  'tls.conf',
  'upstream.conf',
  'proxy-pass.conf',
  'location-proxy.conf',
  'location-static.conf',
  'location-deny-git.conf',
  'location-cache.conf',
  'cache-path.conf',
  'include-file.conf',
  'cloudflare-geo.conf',
  'cloudflare-access.conf',
] as const
export type NginxTemplates = Record<(typeof NGINX_TEMPLATES)[number], string>

const SAFE_PATH = /^\/([A-Za-z0-9._~@+-]+\/)*$/
const SAFE_FILE = /^\/[A-Za-z0-9._~@+-]+(\/[A-Za-z0-9._~@+-]+)*$/
const SAFE_NAME = /^[a-z0-9*][a-z0-9.*-]*$/
const SAFE_LISTEN = /^(\d{1,3}(\.\d{1,3}){3}:|\[[0-9a-f:.]+\]:)?\d{1,5}$/
const SAFE_PREFIX = /^[A-Za-z0-9._~@+-]+(\/[A-Za-z0-9._~@+-]+)*$/
const SAFE_CIDR = /^([0-9.]+|[0-9a-f:]+)\/\d{1,3}$/
const SAFE_SIZE = /^\d{1,6}[km]?$/

/**
 * A name for nginx's global namespaces (upstreams, cache zones, variables) that is one-to-one with
 * (user, app): `_`, `-` and `.` are written as `_5f`, `_2d`, `_2e`, so `__` can only be the separator.
 */
export function nginxIdent(user: string, app: string): string {
  const enc = (s: string) => s.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return `piku__${enc(user)}__${enc(app)}`
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`unsafe nginx value: ${what}`)
}

function validateSpec(spec: NginxAppSpec): void {
  check(/^[A-Za-z0-9-]+$/.test(spec.token), `token ${spec.token}`)
  check(/^[A-Za-z0-9._-]+$/.test(spec.app) && /^[A-Za-z0-9._-]+$/.test(spec.release), `app ${spec.app} ${spec.release}`)
  check(spec.serverNames.length > 0, 'no server name')
  for (const n of spec.serverNames) check(SAFE_NAME.test(n), `server name ${n}`)
  for (const l of [...spec.listen, ...spec.tlsListen]) check(SAFE_LISTEN.test(l), `listen ${l}`)
  check(Number.isInteger(spec.httpsPort) && spec.httpsPort > 0 && spec.httpsPort < 65536, `https port ${spec.httpsPort}`)
  check(SAFE_FILE.test(spec.tls.cert) && SAFE_FILE.test(spec.tls.key), `certificate ${spec.tls.cert} ${spec.tls.key}`)
  check(SAFE_FILE.test(spec.acmeRoot), `acme root ${spec.acmeRoot}`)
  check(SAFE_SIZE.test(spec.maxBody), `max body ${spec.maxBody}`)
  for (const s of spec.statics) {
    check(SAFE_PATH.test(s.url) && SAFE_PATH.test(s.dir) && !s.dir.includes('/../') && !s.url.includes('/../'), `static mapping ${s.url} -> ${s.dir}`)
  }
  if (spec.releaseDir !== undefined) check(SAFE_PATH.test(`${spec.releaseDir.replace(/\/+$/, '')}/`) && !spec.releaseDir.split('/').includes('..'), `release folder ${spec.releaseDir}`)
  if (spec.catchAll !== undefined) check(/^\/[A-Za-z0-9._~\/-]*$/.test(spec.catchAll) && !spec.catchAll.includes('..'), `catch-all ${spec.catchAll}`)
  for (const p of spec.upstreamPorts) check(Number.isInteger(p) && p > 0 && p < 65536, `port ${p}`)
  if (spec.cache) {
    check(SAFE_FILE.test(spec.cache.dir), `cache folder ${spec.cache.dir}`)
    const c = spec.cache.settings
    check(c.prefixes.length > 0 && c.prefixes.every((p) => SAFE_PREFIX.test(p) && !p.split('/').includes('..')), `cache prefixes ${c.prefixes.join(',')}`)
    for (const n of [c.sizeGb, c.timeS, c.controlS, c.expiryS]) check(Number.isInteger(n) && n >= 0, `cache number ${n}`)
    check(spec.upstreamPorts.length > 0, 'NGINX_CACHE_PREFIXES needs a web or wsgi worker')
  }
  if (spec.include) check(SAFE_PREFIX.test(spec.include.file) && !spec.include.file.split('/').includes('..'), `include file ${spec.include.file}`)
  for (const n of [spec.proxyReadTimeoutS, spec.proxySendTimeoutS]) if (n !== undefined) check(Number.isInteger(n) && n > 0, `timeout ${n}`)
  if (spec.hsts) check(Number.isInteger(spec.hsts.maxAgeS) && spec.hsts.maxAgeS >= 0, `HSTS max-age ${spec.hsts.maxAgeS}`)
  if (spec.auth) check(SAFE_FILE.test(spec.auth.file), `auth file ${spec.auth.file}`)
  if (spec.maintenance) check(SAFE_FILE.test(spec.maintenance.page) && !spec.maintenance.page.split('/').includes('..'), `maintenance page ${spec.maintenance.page}`)
  if (spec.stamp !== undefined) check(/^[a-z0-9]+$/.test(spec.stamp), `stamp ${spec.stamp}`)
  if (spec.cloudflare) {
    check(spec.cloudflare.length > 0, 'empty Cloudflare range list')
    for (const c of spec.cloudflare) check(SAFE_CIDR.test(c), `Cloudflare range ${c}`)
  }
}

const escapeRegex = (s: string) => s.replace(/[.+]/g, (c) => `\\${c}`)
const lines = (values: string[], fmt: (v: string) => string) => values.map((v) => `    ${fmt(v)}\n`).join('')

/** What an include sets at the server level: directive names, add_header names (lower case), locations. */
function includeSets(inc?: NginxInclude): { directives: Set<string>; headers: Set<string>; locations: Set<string> } {
  const st = inc?.statements ?? []
  return {
    directives: new Set(st.filter((x) => !x.block).map((x) => x.name)),
    headers: new Set(st.filter((x) => x.name === 'add_header' && x.args[0]).map((x) => x.args[0].toLowerCase())),
    locations: new Set(st.filter((x) => x.block && x.name === 'location').map((x) => locationKey(x.args))),
  }
}

export function renderNginxApp(spec: NginxAppSpec, tpl: NginxTemplates): string {
  validateSpec(spec)
  const id = nginxIdent(spec.user, spec.app)
  const hasUpstream = spec.upstreamPorts.length > 0
  const proxy = hasUpstream ? renderTemplate(tpl['proxy-pass.conf'], { UPSTREAM: id }) : ''
  const maintenance = spec.maintenance !== undefined
  // in maintenance nothing of the app is served, its include file neither
  const inc = maintenance ? undefined : spec.include
  const sets = includeSets(inc)
  const ours = (directive: string) => !sets.directives.has(directive)
  const ourHeader = (name: string) => !sets.headers.has(name.toLowerCase())
  const ourLocation = (key: string) => !sets.locations.has(key)
  const hstsVar = `${id}_hsts`

  // http level: cache path, HSTS map, Cloudflare geo, upstream
  let httpLevel = ''
  if (spec.cache && !maintenance) {
    const c = spec.cache.settings
    httpLevel += renderTemplate(tpl['cache-path.conf'], { DIR: spec.cache.dir, ZONE: id, EXPIRY: String(c.expiryS), SIZE: String(c.sizeGb) })
  }
  if (spec.hsts) {
    const value = `max-age=${spec.hsts.maxAgeS}${spec.hsts.subdomains ? '; includeSubDomains' : ''}`
    httpLevel += renderTemplate(tpl['hsts-map.conf'], { VARIABLE: hstsVar, VALUE: value })
  }
  if (spec.cloudflare) httpLevel += renderTemplate(tpl['cloudflare-geo.conf'], { VARIABLE: id, RANGES: lines(spec.cloudflare, (c) => `${c} 1;`) })
  if (hasUpstream && !maintenance) httpLevel += renderTemplate(tpl['upstream.conf'], { NAME: id, SERVERS: lines(spec.upstreamPorts.map(String), (p) => `server 127.0.0.1:${p};`) })

  const access = spec.cloudflare
    ? renderTemplate(tpl['cloudflare-access.conf'], { VARIABLE: id, REAL_IP_FROM: lines(spec.cloudflare, (c) => `set_real_ip_from ${c};`) })
    : ''
  const own = renderTemplate(tpl['locations-own.conf'], { RELEASE_CHECK: spec.stamp ? `${spec.token} ${spec.stamp}` : spec.token, ACME_ROOT: spec.acmeRoot })

  // headers we add on every answer; a location with add_header of its own repeats them (nginx does not inherit)
  const headers: string[] = []
  if (ourHeader('X-Deployed-By')) headers.push('add_header X-Deployed-By piku-hooks;')
  if (spec.hsts && ourHeader('Strict-Transport-Security')) headers.push(`add_header Strict-Transport-Security $${hstsVar} always;`)

  if (maintenance) {
    const body = renderTemplate(tpl['server-maintenance.conf'], {
      DIRECTIVES: lines(headers, (h) => h),
      ACCESS: access,
      OWN_LOCATIONS: own,
      PAGE: spec.maintenance!.page,
      PAGE_DIR: spec.maintenance!.page.slice(0, spec.maintenance!.page.lastIndexOf('/')),
    })
    return renderServers(spec, tpl, httpLevel, access, own, body)
  }

  // server-level defaults, each dropped when the include sets the same directive
  const directives: string[] = []
  if (ours('client_max_body_size')) directives.push(`client_max_body_size ${spec.maxBody};`)
  if (spec.proxyReadTimeoutS !== undefined && ours('proxy_read_timeout')) directives.push(`proxy_read_timeout ${spec.proxyReadTimeoutS}s;`)
  if (spec.proxySendTimeoutS !== undefined && ours('proxy_send_timeout')) directives.push(`proxy_send_timeout ${spec.proxySendTimeoutS}s;`)
  directives.push(...headers)
  const auth = spec.auth && ours('auth_basic') && ours('auth_basic_user_file') ? renderTemplate(tpl['auth-basic.conf'], { REALM: spec.app, FILE: spec.auth.file }) : ''

  const locations = renderLocations(spec, tpl, id, headers, proxy, ourLocation)

  const body = renderTemplate(tpl['server-body.conf'], {
    DIRECTIVES: lines(directives, (d) => d) + auth,
    ACCESS: access,
    OWN_LOCATIONS: own,
    INCLUDE: inc ? renderTemplate(tpl['include-file.conf'], { FROM: linksFrom(spec) ?? '$document_root', FILE: inc.file, TEXT: inc.text.endsWith('\n') || inc.text === '' ? inc.text : `${inc.text}\n` }) : '',
    LOCATIONS: locations.join(''),
  })
  return renderServers(spec, tpl, httpLevel, access, own, body)
}

/** Where nginx starts checking links: the release folder (a folder inside it swapped for a link at run time is
 *  then refused too), without its trailing slash. */
function linksFrom(spec: NginxAppSpec): string | undefined {
  return spec.releaseDir?.replace(/\/+$/, '')
}

/** The server's locations: .git refused, static folders (longest prefix first), the cache, the app; each
 *  dropped when the include file has the same location. */
function renderLocations(spec: NginxAppSpec, tpl: NginxTemplates, id: string, headers: string[], proxy: string, ourLocation: (key: string) => boolean): string[] {
  const hasUpstream = spec.upstreamPorts.length > 0
  const locations: string[] = []
  if (!spec.allowGitFolders && ourLocation('regex ~ /\\.git')) locations.push(renderTemplate(tpl['location-deny-git.conf'], {}))
  // longest prefix first reads best; nginx picks the longest match whatever the order
  const statics = [...spec.statics].sort((a, b) => b.url.length - a.url.length || a.url.localeCompare(b.url))
  for (const s of statics) {
    if (s.url === '/' && hasUpstream) continue // the app itself answers on /
    if (!ourLocation(`prefix ${s.url}`)) continue
    locations.push(renderTemplate(tpl['location-static.conf'], { URL: s.url, DIR: s.dir, FROM: linksFrom(spec) ?? s.dir, CATCH_ALL: spec.catchAll ? `${spec.catchAll} ` : '' }))
  }
  if (spec.cache) {
    const c = spec.cache.settings
    const prefixes = c.prefixes.map(escapeRegex).join('|')
    if (ourLocation(`regex ~ ^/(${prefixes})(/|$)`)) {
      locations.push(
        renderTemplate(tpl['location-cache.conf'], {
          PREFIXES: prefixes,
          ZONE: id,
          TIME: String(c.timeS),
          REDIRECTS: String(c.redirectsS ?? 3600),
          ANY: String(c.anyS ?? 3600),
          CONTROL: String(c.controlS),
          HEADERS: headers.map((h) => `        ${h}\n`).join(''),
          PROXY: proxy,
        }),
      )
    }
  }
  if (hasUpstream && ourLocation('prefix /')) locations.push(renderTemplate(tpl['location-proxy.conf'], { PROXY: proxy }))
  return locations
}

function renderServers(spec: NginxAppSpec, tpl: NginxTemplates, httpLevel: string, access: string, own: string, body: string): string {
  const common = {
    APP: spec.app,
    RELEASE: spec.release,
    HTTP_LEVEL: httpLevel ? `${httpLevel.trimEnd()}\n\n` : '',
    LISTEN: lines(spec.listen, (l) => `listen ${l};`),
    LISTEN_TLS: lines(spec.tlsListen, (l) => `listen ${l} ssl;`),
    SERVER_NAMES: spec.serverNames.join(' '),
    TLS: renderTemplate(tpl['tls.conf'], { CERT: spec.tls.cert, KEY: spec.tls.key }),
    BODY: body,
  }
  if (!spec.httpsOnly) return renderTemplate(tpl['app.conf'], common)
  return renderTemplate(tpl['app-https-only.conf'], {
    ...common,
    ACCESS: access,
    OWN_LOCATIONS: own,
    HTTPS_PORT_SUFFIX: spec.httpsPort === 443 ? '' : `:${spec.httpsPort}`,
  })
}

const INCLUDE_BEGIN = '    # NGINX_INCLUDE_FILE '
const INCLUDE_END = '    # end of NGINX_INCLUDE_FILE '

/** The include file's name and line behind line `line` (1-based) of a rendered app file, if it is one of its lines. */
export function includeLineOf(rendered: string, line: number): { file: string; line: number } | undefined {
  const all = rendered.split('\n')
  const begin = all.findIndex((l) => l.startsWith(INCLUDE_BEGIN))
  if (begin < 0) return undefined
  const end = all.findIndex((l, i) => i > begin && l.startsWith(INCLUDE_END))
  const k = line - (begin + 1) // 1-based line of the include
  if (k < 1 || (end >= 0 && line > end)) return undefined
  const file = all[begin].slice(INCLUDE_BEGIN.length).split(' ')[0]
  return { file, line: k }
}

/** An nginx -t message about `candidate` (the rendered file) with places inside the include named as FILE:LINE. */
export function explainNginxError(message: string, candidate: string, rendered: string): string {
  const esc = escapeRegExp(candidate)
  return message.replace(new RegExp(`(in )?${esc}:(\\d+)`, 'g'), (whole, _in: string | undefined, n: string) => {
    const at = includeLineOf(rendered, Number(n))
    return at ? `${_in ?? ''}${at.file}:${at.line} (NGINX_INCLUDE_FILE)` : whole
  })
}

/** nginx `listen` values for a port, from host.env's LISTEN (empty = every IPv4 and IPv6 address). */
export function listenValues(addresses: string[], port: number, ipv6 = true): string[] {
  if (addresses.length === 0) return ipv6 ? [`${port}`, `[::]:${port}`] : [`${port}`]
  return addresses.filter((a) => ipv6 || !a.startsWith('[')).map((a) => `${a}:${port}`)
}
