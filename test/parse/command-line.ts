import t from 'tap'
import { MAX_COMMAND_BYTES, splitCommand } from '../../lib/parse/command-line.js'

const words = (s: string) => {
  const r = splitCommand(s)
  if (!r.ok) throw new Error(r.errors.join('; '))
  return r.value
}
const error = (s: string) => {
  const r = splitCommand(s)
  if (r.ok) throw new Error(`expected an error for ${JSON.stringify(s)}`)
  return r.errors
}

t.test('splitCommand: what git sends', async t => {
  t.same(words("git-receive-pack 'app'"), ['git-receive-pack', 'app'])
  t.same(words("git-upload-pack '/app.git'"), ['git-upload-pack', '/app.git'])
})

t.test('splitCommand: whitespace separates, runs collapse', async t => {
  t.same(words(''), [])
  t.same(words('   \t\n '), [])
  t.same(words('  a   b\tc\nd  '), ['a', 'b', 'c', 'd'])
})

t.test('splitCommand: config:set after the client shell removed the quotes', async t => {
  t.same(words('config:set app K=a b'), ['config:set', 'app', 'K=a', 'b'])
  t.same(words(`config:set app K='a b'`), ['config:set', 'app', 'K=a b'])
  t.same(words('config:set app K="a b"'), ['config:set', 'app', 'K=a b'])
})

t.test('splitCommand: single quotes are literal', async t => {
  t.same(words(`'a\\b $X "q"'`), ['a\\b $X "q"'])
  t.same(words(`''`), [''])
  t.same(words(`a'b c'd`), ['ab cd'])
})

t.test('splitCommand: double quotes and their escapes', async t => {
  t.same(words(`"a \\" b"`), ['a " b'])
  t.same(words(`"\\\\"`), ['\\'])
  t.same(words(`"\\$HOME"`), ['$HOME'])
  t.same(words('"\\`x\\`"'), ['`x`'])
  t.same(words(`"\\n\\a"`), ['\\n\\a'], 'other backslashes stay')
  t.same(words('"a\\\nb"'), ['ab'], 'backslash-newline is a continuation')
  t.same(words(`""`), [''])
  t.same(words(`"$HOME 'x'"`), [`$HOME 'x'`], 'no expansion')
  t.same(words(`"a"'b'c`), ['abc'])
})

t.test('splitCommand: backslash outside quotes', async t => {
  t.same(words('a\\ b'), ['a b'])
  t.same(words("\\'x"), ["'x"])
  t.same(words('\\"'), ['"'])
  t.same(words('a\\\nb'), ['ab'])
  t.same(words('\\\n'), [], 'a lone continuation makes no word')
  t.same(words('\\\\'), ['\\'])
})

t.test('splitCommand: no shell operators or expansion', async t => {
  t.same(words('a;b | c && $(rm) `x` ~ *'), ['a;b', '|', 'c', '&&', '$(rm)', '`x`', '~', '*'])
})

t.test('splitCommand: unterminated quotes', async t => {
  t.same(error(`a 'b`), [`command: the single quote at character 3 is never closed; add a closing '`])
  t.same(error(`a "b\\"`), [`command: the double quote at character 3 is never closed; add a closing "`])
  t.same(error(`"\\`), [`command: the double quote at character 1 is never closed; add a closing "`])
})

t.test('splitCommand: lone trailing backslash', async t => {
  t.same(error('ab\\'), ['command: ends with a lone backslash at character 3; remove it or escape it as \\\\'])
})

t.test('splitCommand: NUL bytes', async t => {
  t.same(error('a\0b'), ['command: character 2 is a NUL byte; remove it'])
})

t.test('splitCommand: size limit in bytes', async t => {
  t.equal(words('a'.repeat(MAX_COMMAND_BYTES)).length, 1)
  t.match(error('a'.repeat(MAX_COMMAND_BYTES + 1))[0], /^command: 65537 bytes is longer than the 65536 allowed/)
  t.match(error('é'.repeat(MAX_COMMAND_BYTES / 2 + 1))[0], /^command: 65538 bytes/)
})
