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
export function parseNginxStatements(text: string, file: string): Result<IncludeStatement[]> {
  const out: IncludeStatement[] = []
  const opened: number[] = [] // line of each open `{`
  let words: string[] = []
  let firstLine = 0
  let line = 1
  let i = 0
  const at = (l: number, msg: string) => fail<IncludeStatement[]>(`${file}:${l}: ${msg}`)
  const end = (block: boolean): void => {
    if (opened.length === 0) out.push({ name: words[0], args: words.slice(1), line: firstLine, block })
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

/** Read an include file: expand, parse, refuse what the host owns. `file` is the name errors use. */
export function parseNginxInclude(text: string, file: string, env: Env): Result<NginxInclude> {
  const expanded = expandIncludeVars(text, file, env)
  if (!expanded.ok) return expanded
  const statements = parseNginxStatements(expanded.value, file)
  if (!statements.ok) return statements
  const errors: string[] = []
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
