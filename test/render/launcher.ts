// launcher: the worker's sh script. ENV values are single-quoted data: run through a real sh, no value
// is ever expanded, split or executed; only the Procfile command reaches a shell.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { renderEnvExports, renderLauncher } from '../../lib/render/launcher.js'

const hostile = ["$(touch pwned)", '`touch pwned`', "it's", '"; touch pwned; "', '$HOME ${PATH}', 'a\nb', '\\', '*', '']

t.test('renderLauncher: ENV values stay inert, the command runs in its folder', async (t) => {
  const dir = t.testdir({})
  const env: Record<string, string> = {}
  hostile.forEach((v, i) => (env[`V${i}`] = v))
  const script = join(dir, 'web.1.sh')
  const command = 'for k in ' + hostile.map((_, i) => `V${i}`).join(' ') + ' ; do eval "printf \'%s|\' \\"\\$$k\\""; done; pwd'
  writeFileSync(script, renderLauncher({ title: 'app web.1\nx', cwd: dir, env, command, supervise: false }), { mode: 0o700 })
  const out = execFileSync('/bin/sh', [script], { cwd: '/' }).toString()
  t.equal(out, hostile.join('|') + '|' + dir + '\n', 'every value exactly, then the folder')
  t.same(execFileSync('ls', [dir]).toString().trim().split('\n'), ['web.1.sh'], 'nothing ran from a value')
  t.match(renderLauncher({ title: 'a\nb', cwd: '/x', env: {}, command: 'c', supervise: false }), /^# piku-hooks launcher: a b \(generated\)$/m, 'a newline in the title cannot end the comment')
})

t.test('renderLauncher: a supervised worker runs in its own session and stops on TERM', async (t) => {
  const text = renderLauncher({ title: 't', cwd: '/srv', env: { A: '1' }, command: 'sleep 100', supervise: true })
  t.match(text, /^setsid \/bin\/sh -c 'sleep 100' &$/m)
  t.match(text, /trap 'kill -TERM "-\$child"/)
  t.match(text, /^export A='1'$/m)
  t.notMatch(text, /^exec /m)
})

t.test('renderEnvExports: names are checked, NUL refused', async (t) => {
  t.equal(renderEnvExports({ A_1: 'x', _B: "it's" }), "export A_1='x'\nexport _B='it'\\''s'")
  t.throws(() => renderEnvExports({ 'A;B': 'x' }), /unsafe environment name/)
  t.throws(() => renderEnvExports({ '1A': 'x' }), /unsafe environment name/)
  t.throws(() => renderEnvExports({ A: 'a\0b' }), /NUL byte/)
})
