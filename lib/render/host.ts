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
}

export function renderHostEnv(v: HostValues): string {
  return [
    `HTTP_PORT=${v.httpPort}`,
    `HTTPS_PORT=${v.httpsPort}`,
    `LISTEN=${v.listen.join(' ')}`,
    `DOMAIN=${v.domain}`,
    `PIKU_USER=${v.user}`,
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
  })
}

export function renderEmperorIni(template: string, v: HostValues): string {
  return renderTemplate(template, { USER: v.user, HOME: v.home })
}

export function renderEmperorUnit(template: string, v: HostValues): string {
  return renderTemplate(template, { USER: v.user, HOME: v.home })
}

/** The one root action the user may take: reload nginx after its own app files changed. */
export function renderSudoers(v: HostValues): string {
  return `${v.user} ALL=(root) NOPASSWD: /usr/sbin/nginx -s reload\n`
}
