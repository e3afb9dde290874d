import t from 'tap'
import { applyEnvChanges } from '../../lib/verbs/config-set.js'
import { parseEnvFile } from '../../lib/parse/env-file.js'

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
