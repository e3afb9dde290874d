import t from 'tap'
import { parseLiveEnv, renderLiveEnv } from '../../lib/parse/live-env.js'

t.test('config:live: LIVE_ENV lines are KEY="json"', async (t) => {
  t.same(parseLiveEnv('A="1"\nB="a \\"b\\"\\n$X"\n\n'), { ok: true, value: { A: '1', B: 'a "b"\n$X' } })
  t.same(parseLiveEnv(''), { ok: true, value: {} })
})

t.test('config:live: a broken line is an error naming it', async (t) => {
  t.same(parseLiveEnv('A="1"\nB=plain\nC="x'), { ok: false, errors: ['LIVE_ENV:2: expected KEY="json string"', 'LIVE_ENV:3: expected KEY="json string"'] })
})

t.test('renderLiveEnv: read back to the same values, whatever they hold', async (t) => {
  const env = { A: '1', B: 'a "b"\n$X', C: '', D: '\u0001 ünï' }
  t.same(parseLiveEnv(renderLiveEnv(env)), { ok: true, value: env })
})

t.test('config:live: read by the ENV line reader (blank lines, CRLF, a byte-order mark), values by JSON', async (t) => {
  t.same(parseLiveEnv('\uFEFFA="1"\r\n\r\nB="\\u0001 \\u2028 ${A}"\r\n'), { ok: true, value: { A: '1', B: '\u0001 \u2028 ${A}' } })
  t.same(parseLiveEnv('A=1\nB="x" "y"\nbad line\n'), {
    ok: false,
    errors: ['LIVE_ENV:1: expected KEY="json string"', 'LIVE_ENV:2: expected KEY="json string"', 'LIVE_ENV:3: expected KEY="json string", got "bad line"'],
  })
})
