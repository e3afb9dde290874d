// quote: shell quoting read back by a real sh, and regex escaping matched by a real RegExp.
import { execFileSync } from 'node:child_process'
import t from 'tap'
import { escapeRegExp, shellQuote } from '../../lib/render/quote.js'

const hostile = ["$(touch pwned)", '`touch pwned`', "it's", '"; touch pwned; "', '$HOME ${PATH}', 'a\nb', '\\', '*', '']

t.test('shellQuote: a value sh reads back as it was', async (t) => {
  for (const v of hostile) t.equal(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(v)}`]).toString(), v, JSON.stringify(v))
})

t.test('escapeRegExp: every special character matches itself only', async (t) => {
  for (const v of ['a.b', '/home/p/run/x.conf', '(a|b)*', '[x]{1,2}', 'a+b?c^$', 'back\\slash']) {
    t.ok(new RegExp(`^${escapeRegExp(v)}$`).test(v), v)
  }
  t.notOk(new RegExp(`^${escapeRegExp('a.b')}$`).test('axb'), 'a dot is a dot')
})
