// render/nginx: one app's nginx server block, from validated values and the templates in templates/nginx.
import { renderTemplate } from './template.js'

export interface StaticMapping {
  url: string // '/' or '/prefix/' (always ends with '/')
  dir: string // absolute folder, always ends with '/'
}

export interface NginxAppSpec {
  app: string
  user: string // the host user; upstream names must not collide between users on one nginx
  release: string
  token: string // this activation's id, answered on /.well-known/piku-hooks-release
  serverNames: string[]
  listen: string[] // `ADDR:PORT` or `PORT` or `[::]:PORT`
  upstreamPorts: number[] // loopback ports of the web/wsgi workers; empty for static-only apps
  statics: StaticMapping[]
  catchAll?: string
  allowGitFolders: boolean
  acmeRoot: string
  maxBody: string
}

/** Every template this renderer uses, by name: the caller reads them (I/O stays at the edge). */
export const NGINX_TEMPLATES = ['app.conf', 'upstream.conf', 'location-proxy.conf', 'location-static.conf', 'location-deny-git.conf'] as const
export type NginxTemplates = Record<(typeof NGINX_TEMPLATES)[number], string>

const SAFE_PATH = /^\/([A-Za-z0-9._~@+-]+\/)*$/
const SAFE_NAME = /^[a-z0-9*][a-z0-9.*-]*$/

export function upstreamName(user: string, app: string): string {
  return `piku_${user}_${app}`.replace(/[^A-Za-z0-9_]/g, '_')
}

export function renderNginxApp(spec: NginxAppSpec, tpl: NginxTemplates): string {
  if (!/^[A-Za-z0-9-]+$/.test(spec.token)) throw new Error(`unsafe token: ${spec.token}`)
  for (const n of spec.serverNames) if (!SAFE_NAME.test(n)) throw new Error(`unsafe server name: ${n}`)
  for (const s of spec.statics) {
    if (!SAFE_PATH.test(s.url) || !SAFE_PATH.test(s.dir) || s.dir.includes('/../') || s.url.includes('/../')) {
      throw new Error(`unsafe static mapping: ${s.url} -> ${s.dir}`)
    }
  }
  const name = upstreamName(spec.user, spec.app)
  const upstream = spec.upstreamPorts.length
    ? renderTemplate(tpl['upstream.conf'], {
        NAME: name,
        SERVERS: spec.upstreamPorts.map((p) => `    server 127.0.0.1:${Math.trunc(p)};\n`).join(''),
      })
    : ''
  const locations: string[] = []
  if (!spec.allowGitFolders) locations.push(renderTemplate(tpl['location-deny-git.conf'], {}))
  // longest prefix first reads best; nginx picks the longest match whatever the order
  const statics = [...spec.statics].sort((a, b) => b.url.length - a.url.length)
  for (const s of statics) {
    if (s.url === '/' && spec.upstreamPorts.length) continue // the app itself answers on /
    locations.push(
      renderTemplate(tpl['location-static.conf'], {
        URL: s.url,
        DIR: s.dir,
        CATCH_ALL: spec.catchAll ? `${spec.catchAll} ` : '',
      }),
    )
  }
  if (spec.upstreamPorts.length) locations.push(renderTemplate(tpl['location-proxy.conf'], { UPSTREAM: name }))
  return renderTemplate(tpl['app.conf'], {
    APP: spec.app,
    RELEASE: spec.release,
    TOKEN: spec.token,
    UPSTREAM: upstream,
    LISTEN: spec.listen.map((l) => `    listen ${l};\n`).join(''),
    SERVER_NAMES: spec.serverNames.join(' '),
    MAX_BODY: spec.maxBody,
    ACME_ROOT: spec.acmeRoot,
    LOCATIONS: locations.join(''),
  })
}

/** nginx `listen` values for a port, from host.env's LISTEN (empty = every IPv4 and IPv6 address). */
export function listenValues(addresses: string[], port: number, ipv6 = true): string[] {
  if (addresses.length === 0) return ipv6 ? [`${port}`, `[::]:${port}`] : [`${port}`]
  return addresses.filter((a) => ipv6 || !a.startsWith('[')).map((a) => `${a}:${port}`)
}
