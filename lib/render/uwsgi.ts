// render/uwsgi: uwsgi vassal files as ordered key/value pairs, serialized by our own few lines.
// uwsgi's ini reader does no unquoting and expands %(..), $(..), @(..) in values, so user strings
// (env values, commands) live in launchers and env files; the one user-written part of a vassal,
// UWSGI_INCLUDE_FILE, is checked line by line (parseUwsgiInclude).

import { join } from 'node:path'
import type { Result } from '../errors.js'
import type { UwsgiSettings } from '../parse/settings.js'

export type VassalOption = readonly [string, string]

/** The UWSGI_* settings (lib/parse/settings.ts) plus the UWSGI_INCLUDE_FILE pairs, already validated. */
export type VassalSettings = Omit<UwsgiSettings, 'logXForwardedFor'> & {
  include?: VassalOption[] // appended to every vassal
}

export type VassalRole = 'web' | 'wsgi' | 'jwsgi' | 'php' | 'rwsgi' | 'daemon' | 'cron'

export interface VassalSpec {
  app: string
  release: string
  kind: string
  n: number
  role: VassalRole
  cwd: string
  logFile: string
  settings: VassalSettings
  launcher?: string // web, daemon, cron: the generated launcher script
  port?: number // web, wsgi
  cronSchedules?: string[] // cron: uwsgi schedule prefixes, e.g. '-5 -1 -1 -1 -1'
  wsgi?: { loader: string; envFile: string; virtualenv?: string }
  jwsgiOptions?: VassalOption[] // jwsgi: from the app's templates/uwsgi/jwsgi.ini (render/jwsgi.ts)
  php?: { docroot: string; prepend: string; envFile: string; capBytes?: number } // docroot: the Procfile's, relative to cwd; capBytes: the instance's memory cap
  rack?: { rackup: string; loader: string; envFile: string } // rackup: the Procfile's, relative to cwd
  memoryScript?: string // a capped instance: the script that moves the vassal into its memory cgroup
}

// a value we write must be plain: no line breaks, no uwsgi magic, no leading/trailing space
const UNSAFE_VALUE = /[\r\n\0]|[%$@]\(|^\s|\s$/
const KEY = /^[a-z][a-z0-9-]*$/

export function validateVassalValue(v: string): boolean {
  return !UNSAFE_VALUE.test(v)
}

export function serializeVassal(comment: string, options: readonly VassalOption[]): string {
  const lines = ['[uwsgi]', `# ${comment.replace(/[\r\n]/g, ' ')}`]
  for (const [k, v] of options) {
    if (!KEY.test(k)) throw new Error(`unsafe uwsgi option name: ${JSON.stringify(k)}`)
    if (!validateVassalValue(v)) throw new Error(`unsafe uwsgi value for ${k}: ${JSON.stringify(v)}`)
    lines.push(`${k} = ${v}`)
  }
  return lines.join('\n') + '\n'
}

export function planVassal(s: VassalSpec): VassalOption[] {
  const o: VassalOption[] = [
    ['master', 'true'],
    ['procname-prefix-spaced', `${s.app}:${s.kind}.${s.n}`],
    ['chdir', s.cwd],
    ['logto', s.logFile],
    ['log-maxsize', String(s.settings.logMaxSize)],
    ['log-backupname', `${s.logFile}.old`],
    // log-maxsize makes the master log through a socketpair, SEQPACKET unless asked: Node drops
    // everything it writes to a SEQPACKET stdout, so make it a stream
    ['log-master-stream', 'true'],
    ['log-date', 'true'],
    ['umask', '027'],
  ]
  // first of all, in the master: everything it starts then runs inside the group (render/cgroup.ts)
  if (s.memoryScript) o.push(['exec-asap', `exec ${s.memoryScript}`])
  if (s.role === 'wsgi') {
    if (!s.wsgi || !s.port) throw new Error('wsgi vassal needs a port and a loader')
    o.push(['plugin', 'python3'], ...wsgiPlugins(s.settings), ['http-socket', `127.0.0.1:${s.port}`], ['processes', String(s.settings.processes)])
    // a loop engine (gevent, asyncio) serves many requests per process on its own: no threads beside it
    if (!s.settings.gevent && !s.settings.asyncio) o.push(['threads', String(s.settings.threads)], ['enable-threads', String(s.settings.enableThreads)])
    o.push(
      ['max-requests', String(s.settings.maxRequests)],
      ['listen', String(s.settings.listen)],
      ['need-app', 'true'],
      ['env', `PIKU_ENV_FILE=${s.wsgi.envFile}`],
      ['wsgi-file', s.wsgi.loader],
    )
    if (s.wsgi.virtualenv) o.push(['virtualenv', s.wsgi.virtualenv])
    if (s.settings.idle) o.push(['idle', String(s.settings.idle)], ['cheap', 'true'])
  } else if (s.role === 'jwsgi') {
    if (!s.jwsgiOptions) throw new Error('jwsgi vassal needs its options')
    o.push(...s.jwsgiOptions)
  } else if (s.role === 'php' || s.role === 'rwsgi') {
    o.push(...(s.role === 'php' ? phpOptions(s) : rackOptions(s)))
  } else {
    if (!s.launcher) throw new Error(`${s.role} vassal needs a launcher`)
    o.push(['processes', '0'])
    if (s.role === 'cron') {
      for (const sched of s.cronSchedules ?? []) o.push(['cron', `${sched} ${s.launcher}`])
    } else {
      o.push(['attach-daemon2', `cmd=${s.launcher},stopsignal=15,reloadsignal=15`])
    }
  }
  for (const pair of s.settings.include ?? []) o.push(pair)
  return o
}

/** A php vassal: Debian's php plugin on a loopback port (mapped to modifier 0, what http-socket speaks);
 *  only .php files whose real path is under the docroot run, index.php as index; the docroot's other files
 *  are served by uwsgi's static check (php sources and .inc never). One thread per process: Debian's
 *  embedded PHP is not thread-safe. The environment comes from the env file through the prepend script. */
function phpOptions(s: VassalSpec): VassalOption[] {
  if (!s.php || !s.port) throw new Error('php vassal needs a port and a docroot')
  const docroot = join(s.cwd, s.php.docroot).replace(/\/$/, '')
  return [
    ['plugin', '0:php'],
    ['http-socket', `127.0.0.1:${s.port}`],
    ['processes', String(s.settings.processes)],
    ['max-requests', String(s.settings.maxRequests)],
    ['listen', String(s.settings.listen)],
    ['php-docroot', docroot],
    // uwsgi compares the script's real path with this as a string prefix: the trailing / keeps a sibling
    // (public2/x.php beside public) out; the docroot itself then fails the check, so / is rewritten to
    // /index.php (uwsgi's static check still answers / with an index.html first, as piku's does)
    ['php-allowed-docroot', `${docroot}/`],
    ['plugin', 'router_rewrite'],
    ['route', '^/$ rewrite:/index.php'],
    ['php-allowed-ext', '.php'],
    ['php-index', 'index.php'],
    ['check-static', docroot],
    ['static-skip-ext', '.php'],
    ['static-skip-ext', '.inc'],
    ['static-index', 'index.html'],
    ['php-set', `auto_prepend_file=${s.php.prepend}`],
    ...(s.php.capBytes ? [['php-set', `memory_limit=${phpMemoryLimitMb(s.php.capBytes, s.settings.processes)}M`] as const] : []),
    ['env', `PIKU_ENV_FILE=${s.php.envFile}`],
    ...idleOptions(s.settings),
  ]
}

/** A rwsgi vassal: Debian's rack plugin (the `rack` alternative, mapped to modifier 0) loading the app's
 *  rackup file on a loopback port, after the loader (rbrequire, before rack itself) has set the environment
 *  and Bundler up; post-buffering makes rack.input rewindable, as Rack wants. One thread per process: Debian
 *  ships no rbthreads plugin. */
function rackOptions(s: VassalSpec): VassalOption[] {
  if (!s.rack || !s.port) throw new Error('rwsgi vassal needs a port and a rackup file')
  return [
    ['plugin', '0:rack'],
    ['http-socket', `127.0.0.1:${s.port}`],
    ['processes', String(s.settings.processes)],
    ['max-requests', String(s.settings.maxRequests)],
    ['listen', String(s.settings.listen)],
    ['env', `PIKU_ENV_FILE=${s.rack.envFile}`],
    ['rbrequire', s.rack.loader],
    ['rack', join(s.cwd, s.rack.rackup)],
    ['post-buffering', '4096'],
    ['need-app', 'true'],
    ...idleOptions(s.settings),
  ]
}

/** Under a memory cap, PHP's memory_limit per process: 75% of the cap shared by the processes (at least 16 MB),
 *  so a greedy request fails with PHP's own error rather than the whole instance being killed at the cap. */
export function phpMemoryLimitMb(capBytes: number, processes: number): number {
  return Math.max(16, Math.floor((capBytes * 0.75) / Math.max(1, processes) / 1048576))
}

function idleOptions(settings: VassalSettings): VassalOption[] {
  return settings.idle ? [['idle', String(settings.idle)], ['cheap', 'true']] : []
}

/** The uwsgi plugins (beyond python3) and loop-engine options UWSGI_GEVENT or UWSGI_ASYNCIO ask for. */
export function wsgiPlugins(settings: Pick<VassalSettings, 'gevent' | 'asyncio'>): VassalOption[] {
  if (settings.gevent) return [['plugin', 'gevent_python3'], ['gevent', String(settings.gevent)]]
  if (settings.asyncio) return [['plugin', 'greenlet_python3'], ['plugin', 'asyncio_python3'], ['asyncio', String(settings.asyncio)], ['greenlet', 'true']]
  return []
}

/** The Debian package that ships a uwsgi plugin named in a vassal, for a one-line error when it is missing. */
export const PLUGIN_PACKAGES: Readonly<Record<string, string>> = {
  gevent_python3: 'uwsgi-plugin-gevent-python3 python3-gevent',
  greenlet_python3: 'uwsgi-plugin-greenlet-python3',
  asyncio_python3: 'uwsgi-plugin-asyncio-python3',
}

const INCLUDE_LINE = /^([^=]*?)\s*=\s*(.*)$/

/**
 * Parse a UWSGI_INCLUDE_FILE: `key = value` lines (blank lines and `#`/`;` comments skipped, no
 * `[section]` headers). Every key must be a plain uwsgi option name and every value pass
 * validateVassalValue; each problem is reported as `FILE:LINE: ...`.
 */
export function parseUwsgiInclude(text: string, file: string): Result<VassalOption[]> {
  const pairs: VassalOption[] = []
  const errors: string[] = []
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const where = `${file}:${i + 1}`
      const line = raw.trim()
      if (line === '' || line.startsWith('#') || line.startsWith(';')) return
      if (line.startsWith('[')) {
        errors.push(`${where}: section headers such as ${JSON.stringify(line)} are not allowed; write plain "key = value" lines`)
        return
      }
      const m = INCLUDE_LINE.exec(line)
      if (!m) {
        errors.push(`${where}: expected "key = value", got ${JSON.stringify(line)}`)
        return
      }
      const [, key, value] = m
      if (!KEY.test(key)) {
        errors.push(`${where}: ${JSON.stringify(key)} is not a uwsgi option name (lowercase letters, digits and -)`)
        return
      }
      if (value === '' || !validateVassalValue(value)) {
        errors.push(`${where}: the value of ${key} must be non-empty and must not contain %(, $( or @( (uwsgi would expand them)`)
        return
      }
      pairs.push([key, value])
    })
  return errors.length ? { ok: false, errors } : { ok: true, value: pairs }
}

export function renderVassal(s: VassalSpec): string {
  return serializeVassal(`piku-hooks: ${s.app} release ${s.release} ${s.kind}.${s.n} (generated)`, planVassal(s))
}
