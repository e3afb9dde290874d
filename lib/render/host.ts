// render/host: pure renderers of the host-level files install.sh writes (host.env, emperor.ini, nginx host server,
// sudoers rule, systemd unit). Every value must have passed lib/host-options.ts first.
import { renderTemplate } from './template.js'

export interface HostValues {
  user: string
  home: string
  httpPort: number
  httpsPort: number
  listen: string[] // empty = every IPv4 and IPv6 address
  domain: string
  acme?: Record<string, string> // ACME_ROOT_CA, ACME_EMAIL, ACME_CA_BUNDLE: written only when given
  memoryCgroup?: string // the user's memory cgroup subtree (MEMORY_CGROUP), when the host has a memory controller
  sandbox?: string // SANDBOX (require, off) as the admin set it: kept when install.sh runs again
}

export function renderHostEnv(v: HostValues): string {
  return [
    `HTTP_PORT=${v.httpPort}`,
    `HTTPS_PORT=${v.httpsPort}`,
    `LISTEN=${v.listen.join(' ')}`,
    `DOMAIN=${v.domain}`,
    `PIKU_USER=${v.user}`,
    ...Object.entries(v.acme ?? {}).map(([k, val]) => `${k}=${val}`),
    ...(v.memoryCgroup ? [`MEMORY_CGROUP=${v.memoryCgroup}`] : []),
    ...(v.sandbox === 'require' || v.sandbox === 'off' ? [`SANDBOX=${v.sandbox}`] : []),
    '',
  ].join('\n')
}

/** nginx `listen` lines for one port: one per address, or IPv4 and IPv6 wildcards when none is given. */
export function renderListenDirectives(listen: string[], port: number, suffix = ''): string {
  const addrs = listen.length ? listen.map((a) => `${a}:${port}`) : [`${port}`, `[::]:${port}`]
  return addrs.map((a) => `    listen ${a}${suffix};`).join('\n')
}

export function renderHostConf(template: string, v: HostValues): string {
  return renderTemplate(template, {
    USER: v.user,
    HOME: v.home,
    LISTEN_DIRECTIVES: renderListenDirectives(v.listen, v.httpPort, ' default_server'),
    LISTEN_TLS_DIRECTIVES: renderListenDirectives(v.listen, v.httpsPort, ' ssl default_server'),
  })
}

export function renderEmperorIni(template: string, v: HostValues): string {
  return renderTemplate(template, { USER: v.user, HOME: v.home })
}

/** The systemd unit: the emperor starts through bin/piku-emperor, which sets up the delegated memory subtree. */
export function renderEmperorUnit(template: string, v: HostValues, node: string, toolkit: string): string {
  for (const p of [node, toolkit]) if (!/^\/[A-Za-z0-9._\/-]+$/.test(p)) throw new Error(`unsafe path for the emperor unit: ${p}`)
  return renderTemplate(template, { USER: v.user, HOME: v.home, NODE: node, TOOLKIT: toolkit })
}

/** A time of day for the daily renewal, fixed per user and spread over hosts (CAs ask clients not to all come at :00). */
export function planRenewTime(user: string): { minute: number; hour: number } {
  let h = 0
  for (const c of user) h = (h * 31 + c.charCodeAt(0)) >>> 0
  return { minute: h % 60, hour: Math.floor(h / 60) % 24 }
}

/** The host's renewal vassal: `node` and the toolkit by absolute path (the cron runs with a bare PATH). */
export function renderRenewVassal(template: string, v: HostValues, node: string, toolkit: string): string {
  for (const p of [node, toolkit]) if (!/^\/[A-Za-z0-9._\/-]+$/.test(p)) throw new Error(`unsafe path for the renewal vassal: ${p}`)
  const { minute, hour } = planRenewTime(v.user)
  return renderTemplate(template, { USER: v.user, HOME: v.home, MINUTE: String(minute), HOUR: String(hour), NODE: node, TOOLKIT: toolkit })
}

/** The one root action the user may take: reload nginx after its own app files changed. */
export function renderSudoers(v: HostValues): string {
  return `${v.user} ALL=(root) NOPASSWD: /usr/sbin/nginx -s reload\n`
}
