// stock-manifest: parsing and writing the manifest, hooks' toolkit path, and what a push or install.sh does
// with each copy (stock, older stock, edited, missing, an old link).
import t from 'tap'
import {
  DEFAULT_TOOLKIT,
  copyStatus,
  editIsBehind,
  hookForToolkit,
  mergeManifests,
  missingFrom,
  normalizeHook,
  parseManifest,
  planCopy,
  renderManifest,
  type CopyFacts,
} from '../../lib/parse/stock-manifest.js'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const C = 'c'.repeat(64)

t.test('parseManifest: HASH  PATH lines, comments and blanks skipped, several versions per path', async (t) => {
  const r = parseManifest(`# header\n\n${A}  templates/nginx/app.conf\n${B}  templates/nginx/app.conf\n${C}  hooks/pre-receive\n`)
  t.ok(r.ok)
  if (!r.ok) return
  t.same([...r.value.get('templates/nginx/app.conf')!].sort(), [A, B])
  t.same([...r.value.get('hooks/pre-receive')!], [C])
})

t.test('parseManifest: a bad line is an error naming the file and line', async (t) => {
  for (const bad of [`${A} templates/x`, `${A.slice(1)}  templates/x`, `${A}  ../etc/passwd`, `${A}  templates/../x`, `${A}  lib/x.ts`, `${A.toUpperCase()}  hooks/x`]) {
    const r = parseManifest(`# ok\n${bad}\n`, 'stock.sha256')
    t.notOk(r.ok, bad)
    if (!r.ok) t.match(r.errors[0], /^stock\.sha256:2: expected/)
  }
})

t.test('renderManifest: sorted, round-trips, merge keeps every version', async (t) => {
  const one = parseManifest(`${B}  templates/b\n${A}  hooks/pre-receive\n`)
  const two = parseManifest(`${C}  templates/b\n${A}  hooks/pre-receive\n`)
  if (!one.ok || !two.ok) return t.fail('parse')
  const merged = mergeManifests(one.value, two.value)
  const text = renderManifest(merged, ['what this is'])
  t.equal(text, `# what this is\n${A}  hooks/pre-receive\n${B}  templates/b\n${C}  templates/b\n`)
  const again = parseManifest(text)
  t.ok(again.ok && again.value.get('templates/b')!.size === 2)
  t.same(missingFrom(one.value, new Map([['templates/b', C], ['hooks/pre-receive', A], ['templates/new', A]])), ['templates/b', 'templates/new'])
})

t.test('hookForToolkit / normalizeHook: only the toolkit path of the import changes', async (t) => {
  const stock = `#!/usr/bin/env node\n// header naming ${DEFAULT_TOOLKIT} in prose\nconst preReceive = '${DEFAULT_TOOLKIT}/dist/lib/deploy/pre-receive.js'\nimport(preReceive).then((h) => h.main())\n`
  const mine = hookForToolkit(stock, '/opt/piku-hooks-test')
  t.match(mine, /const preReceive = '\/opt\/piku-hooks-test\/dist\/lib\/deploy\/pre-receive\.js'/)
  t.match(mine, /header naming \/usr\/local\/lib\/piku-hooks in prose/, 'the comment is left alone')
  t.equal(normalizeHook(mine), stock, 'normalizing gives back the stock text, so hashes match across install locations')
  t.equal(normalizeHook(stock), stock)
})

const facts = (f: Partial<CopyFacts>): CopyFacts => ({ path: 'templates/nginx/app.conf', stockHash: B, known: new Set([A, B]), ...f })

t.test('copyStatus / planCopy: missing is written, old stock refreshed, stock recorded, edits kept', async (t) => {
  t.equal(copyStatus(facts({})), 'missing')
  t.same(planCopy(facts({})), { action: 'write', reason: 'missing' })
  t.equal(copyStatus(facts({ copyHash: A, baseHash: A })), 'old-stock')
  t.same(planCopy(facts({ copyHash: A, baseHash: A })), { action: 'write', reason: 'refresh' })
  t.same(planCopy(facts({ copyHash: B, baseHash: B })), { action: 'none' })
  t.same(planCopy(facts({ copyHash: B })), { action: 'record' }, 'stock but not recorded (a copy from before records)')
  t.equal(copyStatus(facts({ copyHash: C, baseHash: B })), 'edited')
  t.same(planCopy(facts({ copyHash: C, baseHash: B })), { action: 'keep', stockChanged: false }, 'edited, stock unchanged: nothing to say')
  t.same(planCopy(facts({ copyHash: C, baseHash: A })), { action: 'keep', stockChanged: true }, 'edited, stock changed since: keep and tell')
  t.same(planCopy(facts({ copyHash: C })), { action: 'keep', stockChanged: true }, 'edited with no record: keep and tell')
  t.same(planCopy(facts({ oldLink: true, path: 'hooks/pre-receive' })), { action: 'write', reason: 'refresh' }, 'an old link to the toolkit becomes a file')
  t.equal(copyStatus(facts({ copyHash: 'link:/home/me/my-hook' })), 'edited', "an admin's own link is an edit")
})

t.test('editIsBehind: an edit whose stock changed, until FILE.stock is removed', async (t) => {
  t.ok(editIsBehind(facts({ copyHash: C, baseHash: A })), 'not reconciled yet')
  t.ok(editIsBehind(facts({ copyHash: C, baseHash: B, beside: true })), 'told, FILE.stock still beside it')
  t.notOk(editIsBehind(facts({ copyHash: C, baseHash: B })), 'merged: FILE.stock removed')
  t.notOk(editIsBehind(facts({ copyHash: B, baseHash: A, beside: true })), 'a stock copy is never behind')
})
