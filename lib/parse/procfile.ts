// procfile: parse a Procfile into entries (kind, command, line, cron schedule) and classify kinds.
//
// One `kind: command` per line, split at the first ':'; blank lines and '#' comments are skipped.
// Every problem is reported with its line, and all of them at once; nothing is dropped silently.
// Kinds: `wsgi` (Python WSGI module), `jwsgi` (a JWSGI CLASS:METHOD in uwsgi's JVM), `web` (a server on $PORT), `php` (a PHP docroot, uwsgi's php plugin),
// `rwsgi` (a Rack config.ru, uwsgi's rack plugin), `static` (nginx serves a folder), `cron*` (`cron: M H DoM Mon DoW command`), `release` and `preflight` (run once, not workers);
// any other kind is a background worker.

import { validateKind } from './app-name.js'
import { type CronSchedule, parseCronSchedule } from './cron.js'
import { parseJwsgiEntry } from './jvm.js'
import { type Result, ok } from '../errors.js'

export type ProcEntry = {
  kind: string
  /** The command; for cron kinds, what follows the five schedule fields. */
  command: string
  /** 1-based line number in the Procfile. */
  line: number
  cron?: CronSchedule
}

export type Procfile = { entries: ProcEntry[] }

export type KindClass = 'wsgi' | 'jwsgi' | 'web' | 'php' | 'rwsgi' | 'static' | 'cron' | 'release' | 'preflight' | 'worker'

/** The kinds that serve HTTP behind nginx; an app has one of them at most. */
const HTTP_KINDS = ['web', 'wsgi', 'jwsgi', 'php', 'rwsgi']

/** A path inside the app (php's docroot, rwsgi's rackup file): relative, plain characters, no `..`. */
const APP_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*\/?$/

/** What php's and rwsgi's command must be, or undefined when it is fine. */
function checkAppPath(kind: string, command: string): string | undefined {
  const example = kind === 'php' ? 'php: public' : 'rwsgi: config.ru'
  if (!APP_PATH.test(command)) return `"${kind}" takes a path inside the app (letters, digits, . _ - @ + and /, no ..), as in "${example}"; got ${JSON.stringify(command)}`
  if (kind === 'rwsgi' && !command.endsWith('.ru')) return `"rwsgi" takes a rackup file (.ru), as in "${example}"; got ${JSON.stringify(command)}`
  return undefined
}

const CRON_LINE = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S.*)$/s

/** What a kind becomes: wsgi, web, static, cron (any kind starting with `cron`), release, preflight or worker. */
export function classifyKind(kind: string): KindClass {
  if (kind === 'wsgi' || kind === 'jwsgi' || kind === 'web' || kind === 'php' || kind === 'rwsgi' || kind === 'static' || kind === 'release' || kind === 'preflight') return kind
  if (kind.startsWith('cron')) return 'cron'
  return 'worker'
}

/** Every kind that runs as part of the app (all but `preflight` and `release`), in Procfile order. */
export function workerKinds(p: Procfile): string[] {
  return p.entries.map(e => e.kind).filter(k => k !== 'preflight' && k !== 'release')
}

/** Parse a Procfile; `file` names it in error messages. */
export function parseProcfile(text: string, file = 'Procfile'): Result<Procfile> {
  const errors: string[] = []
  const entries: ProcEntry[] = []
  const seen = new Map<string, number>()
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)

  lines.forEach((raw, i) => {
    const line = i + 1
    const where = `${file}:${line}`
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const colon = trimmed.indexOf(':')
    if (colon < 0) {
      errors.push(`${where}: expected "kind: command", got ${JSON.stringify(trimmed)}`)
      return
    }
    const kind = trimmed.slice(0, colon).trim()
    const command = trimmed.slice(colon + 1).trim()
    const valid = validateKind(kind)
    if (!valid.ok) {
      errors.push(`${where}: ${valid.errors[0]}`)
      return
    }
    if (command === '') {
      errors.push(`${where}: "${kind}" has no command; write "${kind}: <command>"`)
      return
    }
    const jwsgi = kind === 'jwsgi' ? parseJwsgiEntry(command) : undefined
    const badPath = kind === 'php' || kind === 'rwsgi' ? checkAppPath(kind, command) : jwsgi && !jwsgi.ok ? jwsgi.errors[0] : undefined
    if (badPath) {
      errors.push(`${where}: ${badPath}`)
      return
    }
    const first = seen.get(kind)
    if (first !== undefined) {
      errors.push(`${where}: kind "${kind}" is already defined on line ${first}; keep one (run more copies with ps:scale)`)
      return
    }
    seen.set(kind, line)

    const entry: ProcEntry = { kind, command, line }
    if (classifyKind(kind) === 'cron') {
      const m = CRON_LINE.exec(command)
      const schedule = parseCronSchedule(m ? m.slice(1, 6) : command.split(/\s+/), where)
      if (!schedule.ok) {
        errors.push(...schedule.errors)
        return
      }
      if (!m) {
        errors.push(`${where}: cron "${kind}" has a schedule but no command; write "${kind}: M H DoM Mon DoW <command>"`)
        return
      }
      entry.command = m[6]
      entry.cron = schedule.value
    }
    entries.push(entry)
  })

  const web = seen.get('web')
  const wsgi = seen.get('wsgi')
  const http = HTTP_KINDS.filter((k) => seen.has(k))
  if (web !== undefined && wsgi !== undefined && http.length === 2) {
    errors.push(
      `${file}: both "web" (line ${web}) and "wsgi" (line ${wsgi}) serve HTTP; keep one: wsgi for a Python WSGI module, web for a server that listens on $PORT`,
    )
  } else if (http.length > 1) {
    errors.push(`${file}: ${http.map((k) => `"${k}" (line ${seen.get(k)})`).join(', ')} all serve HTTP; keep one of them (nginx proxies to one kind)`)
  }
  if (errors.length > 0) return { ok: false, errors }
  if (workerKinds({ entries }).length === 0) {
    return { ok: false, errors: [`${file}: nothing to run (add a web, wsgi, static or worker line)`] }
  }
  return ok({ entries })
}
