// verbs/index: the verb table is the one place a verb is declared; every file, help line, audit detail
// and bin/piku's list of verbs without an app follows from it.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { findVerb, renderHelp, verbFile, VERBS, type Verb } from '../../lib/verbs/index.js'

/** Whether the client (bin/piku) puts the remote's app before the arguments: the usage names APP first. */
const clientSendsApp = (verb: Verb): boolean => /^\S+ \[?APP\]?(\s|$)/.test(verb.usage)
/** What verb `name` called with `args` records in the audit log (as ssh-command asks the table). */
const describeAction = (name: string, args: string[]): string | undefined => findVerb(name)?.audit?.(args)

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const verbsDir = join(root, 'lib', 'verbs')

t.test('verb table: every verb has its file, every verb file a verb', async (t) => {
  const files = readdirSync(verbsDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3)).sort()
  t.same(VERBS.map((v) => verbFile(v.name)).sort(), files, 'one lib/verbs/NAME.ts per verb (a:b -> a-b.ts), nothing else there')
  t.equal(new Set(VERBS.map((v) => v.name)).size, VERBS.length, 'no verb declared twice')
  for (const v of VERBS) {
    t.match(v.usage, new RegExp(`^${v.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`), `${v.name}: usage starts with the verb`)
    const mod = await import(new URL(`../../lib/verbs/${verbFile(v.name)}.js`, import.meta.url).href)
    t.type(mod.run, 'function', `${v.name}: exports run`)
  }
})

t.test('verb table: help lists every verb with its usage', async (t) => {
  const help = renderHelp()
  for (const v of VERBS) t.match(help, `  ${v.usage}`, v.name)
  t.equal(findVerb('nope'), undefined)
  t.equal(findVerb('config:set')?.role, 'admin')
})

t.test('verb table: bin/piku adds the app to exactly the verbs whose usage names APP first', async (t) => {
  const script = readFileSync(join(root, 'bin', 'piku'), 'utf8')
  const m = /^ {2}([a-z:| -]+)\) ;;$/m.exec(script)
  if (!m) return t.fail('bin/piku: no "  VERB | VERB) ;;" line for the verbs without an app')
  const appless = VERBS.filter((v) => !clientSendsApp(v)).map((v) => v.name)
  t.same(m[1].split('|').map((s) => s.trim()), appless, `bin/piku's case line must read:   ${appless.join(' | ')}) ;;`)
  t.ok(existsSync(join(root, 'bin', 'piku')))
})

t.test('verb table: audit detail, never a config value', async (t) => {
  t.equal(describeAction('config:set', ['web', 'SECRET=hunter2', 'B=2']), 'set SECRET B')
  t.equal(describeAction('setup:ssh', []), 'admin key from stdin')
  t.equal(describeAction('run', ['web', 'ls', '-l']), 'ls -l')
  t.equal(describeAction('nope', ['web']), undefined)
  t.equal(describeAction('config:unset', ['web', 'A', 'B']), 'unset A B')
  t.equal(describeAction('apps', []), undefined, 'a verb that changes nothing is not audited')
})
