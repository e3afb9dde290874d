// command-line: split SSH_ORIGINAL_COMMAND into words the way a POSIX shell would, with no expansion.
//
// What reaches us: sshd runs the forced command and puts the client's request, as one string, in
// SSH_ORIGINAL_COMMAND. git sends `git-receive-pack 'app'` (single-quoted by git itself). A user's
// `ssh piku@host config:set app K="a b"` has already been through the *client's* shell, which removed
// the quotes, and ssh joins the remaining words with spaces: the server sees `config:set app K=a b`.
// piku re-splits that string with Python's shlex, so the value becomes `a` and `b` is a stray word.
// We split the same way (quote on the client twice, `K='"a b"'`, to keep spaces); the verb decides
// what extra words mean.
//
// Rules: whitespace (space, tab, newline) separates words; single quotes are literal; inside double
// quotes a backslash escapes only `"`, `\`, `$` and `` ` `` (before anything else it stays); outside
// quotes a backslash escapes the next character; backslash-newline is a line continuation and
// disappears. Nothing is expanded and no operator is recognised: `$HOME`, `;`, `|`, `*` and `~` are
// ordinary characters, because no shell ever runs this string.

import { type Result, ok, fail } from '../errors.js'

/** Longest SSH_ORIGINAL_COMMAND we accept, in bytes. */
export const MAX_COMMAND_BYTES = 64 * 1024

const SPACE = new Set([' ', '\t', '\n'])
const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`'])

/** Split a command line into words; see the rules at the top of this file. */
export function splitCommand(s: string): Result<string[]> {
  const bytes = new TextEncoder().encode(s).length
  if (bytes > MAX_COMMAND_BYTES) {
    return fail(`command: ${bytes} bytes is longer than the ${MAX_COMMAND_BYTES} allowed; send less`)
  }
  const nul = s.indexOf('\0')
  if (nul >= 0) return fail(`command: character ${nul + 1} is a NUL byte; remove it`)

  const words: string[] = []
  let word = ''
  let inWord = false
  let i = 0
  while (i < s.length) {
    const c = s[i]
    if (SPACE.has(c)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      i++
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1)
      if (end < 0) return fail(`command: the single quote at character ${i + 1} is never closed; add a closing '`)
      word += s.slice(i + 1, end)
      inWord = true
      i = end + 1
    } else if (c === '"') {
      const start = i
      i++
      let closed = false
      while (i < s.length) {
        const d = s[i]
        if (d === '"') {
          closed = true
          i++
          break
        }
        if (d === '\\' && i + 1 < s.length) {
          const next = s[i + 1]
          if (DOUBLE_QUOTE_ESCAPES.has(next)) word += next
          else if (next !== '\n') word += d + next
          i += 2
          continue
        }
        word += d
        i++
      }
      if (!closed) return fail(`command: the double quote at character ${start + 1} is never closed; add a closing "`)
      inWord = true
    } else if (c === '\\') {
      if (i + 1 >= s.length) return fail(`command: ends with a lone backslash at character ${i + 1}; remove it or escape it as \\\\`)
      const next = s[i + 1]
      if (next !== '\n') {
        word += next
        inWord = true
      }
      i += 2
    } else {
      word += c
      inWord = true
      i++
    }
  }
  if (inWord) words.push(word)
  return ok(words)
}
