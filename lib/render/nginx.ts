// render/nginx: one app's nginx server blocks, from validated values and the templates in templates/nginx.
// A variant is chosen by choosing a template file (app.conf or app-https-only.conf); every value passes an
// allow-list here before it reaches a template, and the templates hold no logic.
import { renderTemplate } from './template.js'
import type { CacheSettings } from '../parse/nginx-settings.js'

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
  catchAll?: string
  allowGitFolders: boolean
  acmeRoot: string
  maxBody: string
  cache?: { dir: string; settings: CacheSettings }
  includeFile?: string // absolute path of the app's fragment
  cloudflare?: string[] // CIDRs: NGINX_CLOUDFLARE_ACL is on
}

/** Every template this renderer uses, by name: the caller reads them (I/O stays at the edge). */
export const NGINX_TEMPLATES = [
  'app.conf',
  'app-https-only.conf',
  'server-body.conf',
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
  if (spec.catchAll !== undefined) check(/^\/[A-Za-z0-9._~\/-]*$/.test(spec.catchAll) && !spec.catchAll.includes('..'), `catch-all ${spec.catchAll}`)
  for (const p of spec.upstreamPorts) check(Number.isInteger(p) && p > 0 && p < 65536, `port ${p}`)
  if (spec.cache) {
    check(SAFE_FILE.test(spec.cache.dir), `cache folder ${spec.cache.dir}`)
    const c = spec.cache.settings
    check(c.prefixes.length > 0 && c.prefixes.every((p) => SAFE_PREFIX.test(p) && !p.split('/').includes('..')), `cache prefixes ${c.prefixes.join(',')}`)
    for (const n of [c.sizeGb, c.timeS, c.controlS, c.expiryS]) check(Number.isInteger(n) && n >= 0, `cache number ${n}`)
    check(spec.upstreamPorts.length > 0, 'NGINX_CACHE_PREFIXES needs a web or wsgi worker')
  }
  if (spec.includeFile !== undefined) check(SAFE_FILE.test(spec.includeFile) && !spec.includeFile.split('/').includes('..'), `include file ${spec.includeFile}`)
  if (spec.cloudflare) {
    check(spec.cloudflare.length > 0, 'empty Cloudflare range list')
    for (const c of spec.cloudflare) check(SAFE_CIDR.test(c), `Cloudflare range ${c}`)
  }
}

const escapeRegex = (s: string) => s.replace(/[.+]/g, (c) => `\\${c}`)
const lines = (values: string[], fmt: (v: string) => string) => values.map((v) => `    ${fmt(v)}\n`).join('')

export function renderNginxApp(spec: NginxAppSpec, tpl: NginxTemplates): string {
  validateSpec(spec)
  const id = nginxIdent(spec.user, spec.app)
  const hasUpstream = spec.upstreamPorts.length > 0
  const proxy = hasUpstream ? renderTemplate(tpl['proxy-pass.conf'], { UPSTREAM: id }) : ''

  // http level: cache path, Cloudflare geo, upstream
  let httpLevel = ''
  if (spec.cache) {
    const c = spec.cache.settings
    httpLevel += renderTemplate(tpl['cache-path.conf'], { DIR: spec.cache.dir, ZONE: id, EXPIRY: String(c.expiryS), SIZE: String(c.sizeGb) })
  }
  if (spec.cloudflare) httpLevel += renderTemplate(tpl['cloudflare-geo.conf'], { VARIABLE: id, RANGES: lines(spec.cloudflare, (c) => `${c} 1;`) })
  if (hasUpstream) httpLevel += renderTemplate(tpl['upstream.conf'], { NAME: id, SERVERS: lines(spec.upstreamPorts.map(String), (p) => `server 127.0.0.1:${p};`) })

  const access = spec.cloudflare
    ? renderTemplate(tpl['cloudflare-access.conf'], { VARIABLE: id, REAL_IP_FROM: lines(spec.cloudflare, (c) => `set_real_ip_from ${c};`) })
    : ''

  const locations: string[] = []
  if (!spec.allowGitFolders) locations.push(renderTemplate(tpl['location-deny-git.conf'], {}))
  // longest prefix first reads best; nginx picks the longest match whatever the order
  const statics = [...spec.statics].sort((a, b) => b.url.length - a.url.length || a.url.localeCompare(b.url))
  for (const s of statics) {
    if (s.url === '/' && hasUpstream) continue // the app itself answers on /
    locations.push(renderTemplate(tpl['location-static.conf'], { URL: s.url, DIR: s.dir, CATCH_ALL: spec.catchAll ? `${spec.catchAll} ` : '' }))
  }
  if (spec.cache) {
    const c = spec.cache.settings
    locations.push(
      renderTemplate(tpl['location-cache.conf'], {
        PREFIXES: c.prefixes.map(escapeRegex).join('|'),
        ZONE: id,
        TIME: String(c.timeS),
        CONTROL: String(c.controlS),
        PROXY: proxy,
      }),
    )
  }
  if (hasUpstream) locations.push(renderTemplate(tpl['location-proxy.conf'], { PROXY: proxy }))

  const body = renderTemplate(tpl['server-body.conf'], {
    MAX_BODY: spec.maxBody,
    ACCESS: access,
    TOKEN: spec.token,
    ACME_ROOT: spec.acmeRoot,
    INCLUDE: spec.includeFile ? renderTemplate(tpl['include-file.conf'], { FILE: spec.includeFile }) : '',
    LOCATIONS: locations.join(''),
  })
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
    TOKEN: spec.token,
    ACME_ROOT: spec.acmeRoot,
    HTTPS_PORT_SUFFIX: spec.httpsPort === 443 ? '' : `:${spec.httpsPort}`,
  })
}

/** nginx `listen` values for a port, from host.env's LISTEN (empty = every IPv4 and IPv6 address). */
export function listenValues(addresses: string[], port: number, ipv6 = true): string[] {
  if (addresses.length === 0) return ipv6 ? [`${port}`, `[::]:${port}`] : [`${port}`]
  return addresses.filter((a) => ipv6 || !a.startsWith('[')).map((a) => `${a}:${port}`)
}
