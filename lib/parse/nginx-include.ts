// nginx-include: an app's NGINX_INCLUDE_FILE read as piku documents it, and checked before nginx sees it
// (pure). `$NAME` and `${NAME}` expand from the app's environment; names the environment does not hold
// (nginx's own `$host`, `$request_uri`, ...) stay as written. A value that could leave its line is refused
// with the key named. The server-level statements are listed so our defaults give way to the ones the
// include sets. Errors name FILE:LINE.
import { type Result, ok, fail } from '../errors.js'

export interface IncludeStatement {
  name: string // the directive, e.g. client_max_body_size, add_header, location
  args: string[] // its words, quotes removed
  line: number // 1-based line of its first word in the include file
  block: boolean // ends in `{ ... }` (location, if, ...) rather than `;`
}

export interface NginxInclude {
  file: string // as NGINX_INCLUDE_FILE names it, e.g. nginx.conf
  text: string // after $NAME expansion; same lines as the file
  statements: IncludeStatement[] // the server-level ones, in order
}

type Env = Record<string, string | undefined>

const VAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g
// what would end a word, a statement, a block or a line, or open a quoted string or comment
const BREAKS_OUT = /[\n\r;{}"'#\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/

/** `$NAME`/`${NAME}` from `env`, line by line; unknown names stay. Refuses a value that could leave its line. */
export function expandIncludeVars(text: string, file: string, env: Env): Result<string> {
  const errors: string[] = []
  const out = text.split('\n').map((line, i) =>
    line.replace(VAR, (whole, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string
      const value = env[name]
      if (value === undefined) return whole
      const bad = BREAKS_OUT.exec(value)
      if (bad) {
        const ch = bad[0] === '\n' ? 'a newline' : bad[0] === '\r' ? 'a carriage return' : /[\x00-\x1f\x7f]/.test(bad[0]) ? 'a control character' : JSON.stringify(bad[0])
        errors.push(`${file}:${i + 1}: ${whole} is not expanded: the value of ${name} holds ${ch}, which could end the line or the directive (use values without newlines, ; { } quotes # or \\)`)
        return whole
      }
      return value
    }),
  )
  if (errors.length) return fail(...errors)
  return ok(out.join('\n'))
}

/** nginx keeps a backslash except before a quote, a backslash, t, r or n. */
function unescapeChar(c: string): string {
  if (c === '"' || c === "'" || c === '\\') return c
  if (c === 't') return '\t'
  if (c === 'r') return '\r'
  if (c === 'n') return '\n'
  return `\\${c}`
}

/**
 * The server-level statements of an nginx fragment, read with nginx's own word rules: whitespace, `;`,
 * `{` and `}` (at the start of a word) end words; `#` at the start of a word runs to the end of the line;
 * quotes and `\` escape; `${` inside a word is a variable, not a block.
 */
export function parseNginxStatements(text: string, file: string, nested?: IncludeStatement[]): Result<IncludeStatement[]> {
  const out: IncludeStatement[] = []
  const opened: number[] = [] // line of each open `{`
  let words: string[] = []
  let firstLine = 0
  let line = 1
  let i = 0
  const at = (l: number, msg: string) => fail<IncludeStatement[]>(`${file}:${l}: ${msg}`)
  const end = (block: boolean): void => {
    const statement = { name: words[0], args: words.slice(1), line: firstLine, block }
    if (opened.length === 0) out.push(statement)
    nested?.push(statement) // every statement, at any depth, when the caller asks
    words = []
  }
  while (i < text.length) {
    const c = text[i]
    if (c === '\n') {
      line++
      i++
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++
      continue
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++
      continue
    }
    if (c === ';') {
      if (!words.length) return at(line, 'unexpected ";"')
      end(false)
      i++
      continue
    }
    if (c === '{') {
      if (!words.length) return at(line, 'unexpected "{"')
      end(true)
      opened.push(line)
      i++
      continue
    }
    if (c === '}') {
      if (words.length) return at(firstLine, `"${words[0]}" has no ending ";"`)
      if (!opened.length) return at(line, 'unexpected "}"')
      opened.pop()
      i++
      continue
    }
    // a word
    if (!words.length) firstLine = line
    const w = c === '"' || c === "'" ? readQuoted(text, i, line) : readBare(text, i, line)
    if (w.word === undefined) return at(line, `the quote ${c} opened here is not closed`)
    i = w.i
    line = w.line
    words.push(w.word)
  }
  if (words.length) return at(firstLine, `"${words[0]}" has no ending ";"`)
  if (opened.length) return at(opened[opened.length - 1], 'the "{" opened here is not closed')
  return ok(out)
}

/** A quoted word from `i` (at its opening quote): its text (undefined when the quote is not closed), where
 *  reading goes on, and the line it ends on. */
function readQuoted(text: string, i: number, line: number): { word?: string; i: number; line: number } {
  const q = text[i++]
  let word = ''
  while (i < text.length) {
    const d = text[i]
    if (d === '\\' && i + 1 < text.length) {
      if (text[i + 1] === '\n') line++
      word += unescapeChar(text[i + 1])
      i += 2
      continue
    }
    if (d === q) return { word, i: i + 1, line }
    if (d === '\n') line++
    word += d
    i++
  }
  return { i, line }
}

/** An unquoted word from `i`: it ends at whitespace, `;` or `{` (but `${` is a variable); `\\` escapes. */
function readBare(text: string, i: number, line: number): { word: string; i: number; line: number } {
  let word = ''
  let variable = false
  while (i < text.length) {
    const d = text[i]
    if (d === '{' && variable) {
      word += d
      i++
      continue
    }
    variable = false
    if (d === '\\' && i + 1 < text.length) {
      if (text[i + 1] === '\n') line++
      word += unescapeChar(text[i + 1])
      i += 2
      continue
    }
    if (d === '$') variable = true
    if (d === ' ' || d === '\t' || d === '\r' || d === '\n' || d === ';' || d === '{') break
    word += d
    i++
  }
  return { word, i, line }
}

/** Directives the host owns: an include may not set them at the server level. */
const REFUSED: Record<string, string> = {
  listen: 'the ports are the host\'s (install.sh --http-port, --https-port, --listen)',
  server_name: 'the names come from NGINX_SERVER_NAME',
}

/** Locations piku-hooks needs for itself: certificates and deploy checks depend on them. */
const RESERVED_PREFIXES = ['/.well-known/acme-challenge', '/.well-known/piku-hooks']

/** A location's identity for nginx's duplicate check: `prefix PATH` (with or without ^~), `exact PATH`, `regex MOD PATTERN`. */
export function locationKey(args: string[]): string {
  if (args.length >= 2) {
    const [mod, path] = args
    if (mod === '=') return `exact ${path}`
    if (mod === '^~') return `prefix ${path}`
    if (mod === '~' || mod === '~*') return `regex ${mod} ${path}`
  }
  const a = args[0] ?? ''
  if (a.startsWith('=')) return `exact ${a.slice(1)}`
  if (a.startsWith('^~')) return `prefix ${a.slice(2)}`
  if (a.startsWith('~*')) return `regex ~* ${a.slice(2)}`
  if (a.startsWith('~')) return `regex ~ ${a.slice(1)}`
  if (a.startsWith('@')) return `named ${a}`
  return `prefix ${a}`
}

/** Directives whose file nginx's master opens as root (or that turn the symlink check off): an include may not use
 *  them at any depth, since the app could swap the file for a link between the check and the reload. */
const OPENED_AS_ROOT = new Set([
  'include', 'access_log', 'error_log', 'open_log_file_cache', 'ssl_certificate', 'ssl_certificate_key', 'ssl_trusted_certificate',
  'ssl_client_certificate', 'ssl_crl', 'ssl_dhparam', 'ssl_password_file', 'ssl_session_ticket_key', 'ssl_stapling_file',
  'ssl_conf_command', 'auth_basic_user_file', 'load_module', 'pid', 'lock_file', 'working_directory',
  'client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path', 'proxy_cache_path',
  'fastcgi_cache_path', 'uwsgi_cache_path', 'scgi_cache_path', 'proxy_store', 'fastcgi_store', 'uwsgi_store', 'scgi_store',
  'js_import', 'js_path', 'perl_modules', 'perl_require', 'geoip_country', 'geoip_city', 'geoip_org', 'xslt_stylesheet',
  'secure_link_secret', 'disable_symlinks', 'ssl_certificate_cache',
])

/** The client-certificate files of proxy_, grpc_ and uwsgi_ TLS: also opened by the master as root (a key read this
 *  way would sign handshakes with an upstream the app chooses). */
const UPSTREAM_TLS_FILE = /^(proxy|grpc|uwsgi)_ssl_(certificate|certificate_key|certificate_cache|trusted_certificate|crl|password_file|conf_command)$/

/** Directives that hand a request to a backend: their target must be a host:port written out, not a unix socket
 *  (nginx would connect as its own user, to any socket on the machine) nor a variable (it could become one). */
const PASSES = new Set(['proxy_pass', 'uwsgi_pass', 'fastcgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass'])

/** Shared cache zones: another app's (or user's) zone named here would let this app fill it for the other's visitors. */
const CACHES = new Set(['proxy_cache', 'uwsgi_cache', 'fastcgi_cache', 'scgi_cache'])

/** The host part of a *_pass target (after an optional scheme://, up to the first /). */
function passHost(target: string): string {
  const rest = target.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '')
  const slash = rest.indexOf('/')
  return slash < 0 ? rest : rest.slice(0, slash)
}

/** Whether `path` (absolute, no variables, no `..`) lies inside `release`. */
function insideRelease(path: string, release: string): boolean {
  if (!path.startsWith('/') || path.includes('$') || path.split('/').includes('..')) return false
  const root = release.replace(/\/+$/, '')
  return path.replace(/\/+$/, '') === root || path.startsWith(root + '/')
}

/** What pushed nginx may not reach: files opened as root, and root/alias outside the app's release. */
function reachErrors(all: IncludeStatement[], file: string, release: string): string[] {
  const errors: string[] = []
  for (const s of all) {
    if (OPENED_AS_ROOT.has(s.name) || UPSTREAM_TLS_FILE.test(s.name)) errors.push(`${file}:${s.line}: "${s.name}" cannot be used in an app's include: nginx opens its file as root (or it turns the symlink check off)`)
    if ((s.name === 'root' || s.name === 'alias') && !insideRelease(s.args[0] ?? '', release)) {
      errors.push(`${file}:${s.line}: ${s.name} ${s.args.join(' ')} is outside the app's release (${release}): an include serves only the app's own files, by absolute path, without variables`)
    }
    if (PASSES.has(s.name)) {
      const host = passHost(s.args[0] ?? '')
      if (host.includes('$') || /unix:/i.test(s.args[0] ?? '')) {
        errors.push(`${file}:${s.line}: ${s.name} ${s.args.join(' ')}: an include passes requests to a host:port written out, not to a unix socket or a variable (nginx would connect to any socket on the machine)`)
      }
    }
    if (CACHES.has(s.name) && s.args[0] !== 'off') {
      errors.push(`${file}:${s.line}: ${s.name} ${s.args.join(' ')}: cache zones are shared by every app on this nginx; use NGINX_CACHE_PREFIXES for the app's own cache`)
    }
  }
  return errors
}

/** Read an include file: expand, parse, refuse what the host owns and, given the release folder, anything that
 *  reaches past the app (files nginx opens as root, root/alias outside its release). `file` is the name errors use. */
export function parseNginxInclude(text: string, file: string, env: Env, release?: string): Result<NginxInclude> {
  const expanded = expandIncludeVars(text, file, env)
  if (!expanded.ok) return expanded
  const all: IncludeStatement[] = []
  const statements = parseNginxStatements(expanded.value, file, all)
  if (!statements.ok) return statements
  const errors: string[] = release === undefined ? [] : reachErrors(all, file, release)
  for (const s of statements.value) {
    if (REFUSED[s.name]) errors.push(`${file}:${s.line}: "${s.name}" cannot be set here: ${REFUSED[s.name]}`)
    if (s.name === 'location') {
      const path = locationKey(s.args).split(' ').slice(-1)[0]
      if (RESERVED_PREFIXES.some((p) => path.startsWith(p))) {
        errors.push(`${file}:${s.line}: location ${s.args.join(' ')} is piku-hooks' own (certificate challenges and deploy checks use it)`)
      }
    }
  }
  if (errors.length) return fail(...errors)
  return ok({ file, text: expanded.value, statements: statements.value })
}
