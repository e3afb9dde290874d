import t from 'tap'
import { parseEnvFile, serializeEnvFile, applyEnvChanges } from '../../lib/parse/env-file.js'

const parsed = (text: string, base: Record<string, string> = {}) => {
  const r = parseEnvFile(text, base)
  if (!r.ok) throw new Error(r.errors.join('; '))
  return r.value
}
const errors = (text: string, file?: string) => {
  const r = parseEnvFile(text, {}, file)
  if (r.ok) throw new Error(`expected errors for ${JSON.stringify(text)}`)
  return r.errors
}

t.test('parseEnvFile: plain lines, comments, blanks, export', async t => {
  const v = parsed('# top\n\n  # indented comment\nA=1\n  B = two words  \nexport C=3\nexport\tD=4\r\nE=\nF=a=b\n')
  t.same(v, { A: '1', B: 'two words', C: '3', D: '4', E: '', F: 'a=b' })
  t.same(Object.keys(v), ['A', 'B', 'C', 'D', 'E', 'F'], 'insertion order')
})

t.test('parseEnvFile: no inline comments, quotes inside unquoted values kept', async t => {
  t.same(parsed(`A=b # c\nB=it's\nC=a"b"\nD=\\n\\x`), { A: 'b # c', B: "it's", C: 'a"b"', D: '\\n\\x' })
})

t.test('parseEnvFile: double quotes', async t => {
  const v = parsed(
    [
      'A="  spaced  "',
      'B="line1\\nline2\\ttab\\rcr"',
      'C="say \\"hi\\" \\\\ done"',
      'D="\\$HOME is literal, \\q stays"',
      'E="$A|${A}"',
      'F=""',
      'G="a" ',
      'H="$"',
    ].join('\n'),
  )
  t.same(v, {
    A: '  spaced  ',
    B: 'line1\nline2\ttab\rcr',
    C: 'say "hi" \\ done',
    D: '$HOME is literal, \\q stays',
    E: '  spaced  |  spaced  ',
    F: '',
    G: 'a',
    H: '$',
  })
})

t.test('parseEnvFile: single quotes are literal', async t => {
  t.same(parsed(`A='$HOME \\n "x"'\nB=''`, { HOME: '/h' }), { A: '$HOME \\n "x"', B: '' })
})

t.test('parseEnvFile: expansion from earlier lines, then base; unknown names stay', async t => {
  const base = { HOME: '/home/piku', A: 'base-a' }
  const v = parsed('P=$HOME/x\nA=mine\nQ=${A}-$A\nR=$NOPE ${NOPE} ${X:-d} $ $1 ${}\nS=\\$HOME\nT=${HOME', base)
  t.same(v, {
    P: '/home/piku/x',
    A: 'mine',
    Q: 'mine-mine',
    R: '$NOPE ${NOPE} ${X:-d} $ $1 ${}',
    S: '$HOME',
    T: '${HOME',
  })
})

t.test('parseEnvFile: a later line overrides an earlier one', async t => {
  t.same(parsed('A=1\nB=2\nA=$A$A'), { A: '11', B: '2' })
  t.same(parsed('export =1\nexport=2'), { export: '2' }, '"export" alone is a key')
})

t.test('parseEnvFile: base keys are not returned and not changed', async t => {
  const base = { X: '1' }
  t.same(parsed('Y=$X', base), { Y: '1' })
  t.same(base, { X: '1' })
  t.same(parsed('toString=$constructor'), { toString: '$constructor' }, 'no prototype lookups')
})

t.test('parseEnvFile: a byte-order mark is ignored', async t => {
  t.same(parsed('\uFEFFA=1'), { A: '1' })
})

t.test('parseEnvFile: errors name the line and are all reported', async t => {
  t.same(errors('A=1\njust words\n1A=2\nB="open\nC=\'open\nD="a"b\nE=\'a\' b\nexport F\n=x', 'config'), [
    'config:2: expected KEY=VALUE, got "just words"',
    `config:3: expected KEY=VALUE: config key "1A": start with a letter or '_', then use letters, digits and '_' (at most 128 characters)`,
    'config:4: expected KEY=VALUE: the double quote is never closed; add a closing "',
    "config:5: expected KEY=VALUE: the single quote is never closed; add a closing '",
    'config:6: expected KEY=VALUE: text after the closing quote; put the whole value inside the quotes',
    'config:7: expected KEY=VALUE: text after the closing quote; put the whole value inside the quotes',
    'config:8: expected KEY=VALUE, got "export F"',
    `config:9: expected KEY=VALUE: config key "": start with a letter or '_', then use letters, digits and '_' (at most 128 characters)`,
  ])
  t.same(errors('B="ends in backslash\\'), ['ENV:1: expected KEY=VALUE: the double quote is never closed; add a closing "'])
  t.same(errors('KEY-NAME=1')[0].slice(0, 32), 'ENV:1: expected KEY=VALUE: confi')
})

t.test('serializeEnvFile: plain values stay plain', async t => {
  t.equal(serializeEnvFile({ A: '1', B: '', C: 'a-b.c,d:e/f@g%h+i=j' }), 'A=1\nB=\nC=a-b.c,d:e/f@g%h+i=j\n')
  t.equal(serializeEnvFile({}), '')
})

t.test('serializeEnvFile: nasty values are double-quoted and escaped', async t => {
  t.equal(serializeEnvFile({ A: 'a b' }), 'A="a b"\n')
  t.equal(serializeEnvFile({ A: 'x"$y\\z\n\r\t' }), 'A="x\\"\\$y\\\\z\\n\\r\\t"\n')
})

t.test('serializeEnvFile: refuses invalid keys', async t => {
  t.throws(() => serializeEnvFile({ 'A B': '1' }), /invalid key "A B"/)
})

const NASTY = [
  '',
  ' ',
  '  lead',
  'trail  ',
  'a b',
  '"',
  "'",
  `'single'`,
  '"double"',
  '$',
  '$HOME',
  '${HOME}',
  '\\$HOME',
  '\\',
  '\\\\',
  'ends\\',
  '#',
  '# not a comment',
  'a # b',
  '=',
  '==x',
  'line1\nline2',
  '\n',
  '\r\n',
  '\r',
  '\ttab',
  'export X=1',
  'ünïcødé ✓',
  '\u2028',
  '\0nul',
  '\\n',
  '\\"',
  '"$A"\'$B\'',
]

t.test('serializeEnvFile: round-trips nasty values through parseEnvFile', async t => {
  const values: Record<string, string> = {}
  NASTY.forEach((v, i) => (values[`K${i}`] = v))
  t.same(parseEnvFile(serializeEnvFile(values), {}), { ok: true, value: values })
})

t.test('serializeEnvFile: round-trips random strings (property)', async t => {
  // a small seeded generator so a failure is reproducible
  let seed = 0x2545f491
  const next = () => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 2 ** 32
  }
  const alphabet = ['a', 'Z', '0', ' ', '\t', '\n', '\r', '"', "'", '$', '{', '}', '\\', '#', '=', 'é', '_', 'n', 'x']
  for (let round = 0; round < 200; round++) {
    const values: Record<string, string> = {}
    for (let k = 0; k < 5; k++) {
      let s = ''
      const len = Math.floor(next() * 12)
      for (let c = 0; c < len; c++) s += alphabet[Math.floor(next() * alphabet.length)]
      values[`V_${k}`] = s
    }
    const back = parseEnvFile(serializeEnvFile(values), {})
    if (!back.ok || JSON.stringify(back.value) !== JSON.stringify(values)) {
      t.fail(`round ${round}: ${JSON.stringify(values)} came back as ${JSON.stringify(back)}`)
      return
    }
  }
  t.pass('200 rounds of 5 random values')
})

t.test('config:set: new keys are appended, set keys replaced in place', async (t) => {
  t.equal(applyEnvChanges('', [['A', '1']]), 'A=1\n')
  t.equal(applyEnvChanges('A=1\nB=2\n', [['A', 'x y'], ['C', '3']]), 'A="x y"\nB=2\nC=3\n')
  t.equal(applyEnvChanges('# note\nexport A = 1\nA=again\n', [['A', '2']]), '# note\nA=2\n', 'later lines for the key dropped')
})

t.test('config:set: other lines stay as written, references included', async (t) => {
  t.equal(applyEnvChanges('URL=http://$HOST/x\n', [['HOST', 'h']]), 'URL=http://$HOST/x\nHOST=h\n')
})

t.test('config:set: values round-trip through the ENV grammar', async (t) => {
  const tricky = `it's "quoted" $HOME \\ back\ttab`
  const text = applyEnvChanges('', [['V', tricky], ['E', '']])
  t.same(parseEnvFile(text, { HOME: '/h' }), { ok: true, value: { V: tricky, E: '' } })
})

t.test('config:unset: drops the keys, keeps the rest', async (t) => {
  t.equal(applyEnvChanges('A=1\nB=2\nA=3\n', [], ['A']), 'B=2\n')
  t.equal(applyEnvChanges('A=1\n', [], ['A']), '')
  t.equal(applyEnvChanges('A=1\r\nB=2\r\n', [], ['B']), 'A=1\n')
})
