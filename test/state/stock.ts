// stock: an app's copies of the hooks and templates through a first push, an upgrade with an edit, a reset,
// old hook links; and the committed stock.sha256 holding every file the toolkit ships now.
import t, { type Test } from 'tap'
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { currentStockHashes, readCopies, resetCopies, sha256, stockFiles, syncAllApps, syncCopies } from '../../lib/state/stock.js'
import { normalizeHook, parseManifest, missingFrom } from '../../lib/parse/stock-manifest.js'

const checkout = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const hook = (name: string, v: string) =>
  `#!/usr/bin/env node\n// ${name} ${v}\nconst x = '/usr/local/lib/piku-hooks/dist/lib/deploy/${name}.js'\nimport(x).then((h) => h.main())\n`

/** A toolkit folder with the given files, and a manifest of `shipped` (path -> every text ever shipped). */
function makeToolkit(dir: string, files: Record<string, string>, shipped: Record<string, string[]>): string {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  const lines = Object.entries(shipped).flatMap(([p, texts]) => texts.map((x) => `${sha256(p.startsWith('hooks/') ? normalizeHook(x) : x)}  ${p}`))
  writeFileSync(join(dir, 'dist', 'stock.sha256'), lines.join('\n') + '\n')
  return dir
}

function v1(dir: string): string {
  return makeToolkit(
    dir,
    {
      'dist/hooks/pre-receive.cjs': hook('pre-receive', 'v1'),
      'dist/hooks/post-receive.cjs': hook('post-receive', 'v1'),
      'templates/nginx/app.conf': 'server { # v1\n}\n',
      'templates/nginx/host.conf': 'host\n',
      'templates/uwsgi/wsgi-loader.py': '# loader v1\n',
      'templates/uwsgi/emperor.ini': '[uwsgi]\n',
    },
    { 'hooks/pre-receive': [hook('pre-receive', 'v1')], 'hooks/post-receive': [hook('post-receive', 'v1')], 'templates/nginx/app.conf': ['server { # v1\n}\n'], 'templates/uwsgi/wsgi-loader.py': ['# loader v1\n'] },
  )
}

function v2(dir: string): string {
  return makeToolkit(
    dir,
    {
      'dist/hooks/pre-receive.cjs': hook('pre-receive', 'v1'),
      'dist/hooks/post-receive.cjs': hook('post-receive', 'v2'),
      'templates/nginx/app.conf': 'server { # v2\n}\n',
      'templates/nginx/new.conf': 'new in v2\n',
      'templates/nginx/host.conf': 'host\n',
      'templates/uwsgi/wsgi-loader.py': '# loader v1\n',
      'templates/uwsgi/emperor.ini': '[uwsgi]\n',
    },
    {
      'hooks/pre-receive': [hook('pre-receive', 'v1')],
      'hooks/post-receive': [hook('post-receive', 'v1'), hook('post-receive', 'v2')],
      'templates/nginx/app.conf': ['server { # v1\n}\n', 'server { # v2\n}\n'],
      'templates/nginx/new.conf': ['new in v2\n'],
      'templates/uwsgi/wsgi-loader.py': ['# loader v1\n'],
    },
  )
}

function hostWithApp(t: Test): string {
  const root = t.testdir({ repos: { web: { HEAD: 'ref: refs/heads/main\n', hooks: {} } } })
  const saved = process.env.PIKU_ROOT
  process.env.PIKU_ROOT = root
  t.teardown(() => {
    if (saved === undefined) delete process.env.PIKU_ROOT
    else process.env.PIKU_ROOT = saved
  })
  return root
}

t.test('stockFiles: both hooks and every app template, never the host\'s own', async (t) => {
  const tk = v1(t.testdir())
  t.same(stockFiles(tk).map((f) => f.path), ['hooks/pre-receive', 'hooks/post-receive', 'templates/nginx/app.conf', 'templates/uwsgi/wsgi-loader.py'])
})

t.test('syncAllApps: every repo with a HEAD, by name; others and bad names left alone', async (t) => {
  const root = hostWithApp(t)
  mkdirSync(join(root, 'repos', 'api', 'hooks'), { recursive: true })
  writeFileSync(join(root, 'repos', 'api', 'HEAD'), 'ref: refs/heads/main\n')
  mkdirSync(join(root, 'repos', 'half')) // no HEAD: not a repo
  mkdirSync(join(root, 'repos', '.hidden'))
  writeFileSync(join(root, 'repos', '.hidden', 'HEAD'), 'ref: refs/heads/main\n')
  const lines = syncAllApps(v1(join(root, 'toolkit')))
  t.equal(lines.length, 2)
  t.match(lines[0], /^wrote api's git hooks/)
  t.match(lines[1], /^wrote web's git hooks/)
  t.notOk(existsSync(join(root, 'repos', 'half', 'hooks')))
  t.notOk(existsSync(join(root, 'repos', '.hidden', 'hooks', 'pre-receive')))
})

t.test('syncAllApps: no repos folder, nothing to do', async (t) => {
  const saved = process.env.PIKU_ROOT
  const root = t.testdir({})
  process.env.PIKU_ROOT = root
  t.teardown(() => {
    if (saved === undefined) delete process.env.PIKU_ROOT
    else process.env.PIKU_ROOT = saved
  })
  t.same(syncAllApps(v1(join(root, 'toolkit'))), [])
})

t.test('syncCopies: the first push writes real executable hooks naming this toolkit, and the templates', async (t) => {
  const root = hostWithApp(t)
  const tk = v1(join(root, 'toolkit'))
  t.same(syncCopies('web', tk), [`wrote web's git hooks and templates into repos/web/ (yours to edit: see "hooks web")`])
  const pre = join(root, 'repos/web/hooks/pre-receive')
  t.notOk(lstatSync(pre).isSymbolicLink(), 'a file, not a link')
  t.equal(statSync(pre).mode & 0o777, 0o755)
  t.match(readFileSync(pre, 'utf8'), `const x = '${tk}/dist/lib/deploy/pre-receive.js'`)
  t.equal(readFileSync(join(root, 'repos/web/templates/nginx/app.conf'), 'utf8'), 'server { # v1\n}\n')
  t.notOk(existsSync(join(root, 'repos/web/templates/nginx/host.conf')))
  t.same(readCopies('web', tk).map((c) => c.status), ['stock', 'stock', 'stock', 'stock'])
  t.same(syncCopies('web', tk), [], 'a second push has nothing to say')
})

t.test('syncCopies: an upgrade refreshes unedited copies, keeps edits with the new stock beside them, says so once', async (t) => {
  const root = hostWithApp(t)
  const tk = join(root, 'toolkit')
  syncCopies('web', v1(tk))
  const conf = join(root, 'repos/web/templates/nginx/app.conf')
  writeFileSync(conf, 'server { # v1, with my header\n}\n')
  const pre = join(root, 'repos/web/hooks/pre-receive')
  writeFileSync(pre, readFileSync(pre, 'utf8') + '// my edit\n')
  t.same(readCopies('web', tk).map((c) => [c.path, c.status, c.behind]), [
    ['hooks/pre-receive', 'edited', false],
    ['hooks/post-receive', 'stock', false],
    ['templates/nginx/app.conf', 'edited', false],
    ['templates/uwsgi/wsgi-loader.py', 'stock', false],
  ])
  v2(tk)
  t.same(readCopies('web', tk).map((c) => c.status), ['edited', 'old-stock', 'edited', 'missing', 'stock'])
  t.same(syncCopies('web', tk), [
    'wrote 1 missing stock copy into repos/web/: templates/nginx/new.conf',
    'updated 1 unedited stock copy in repos/web/: hooks/post-receive',
    'kept your edit of repos/web/templates/nginx/app.conf; the new stock version is at repos/web/templates/nginx/app.conf.stock',
  ])
  t.equal(readFileSync(conf, 'utf8'), 'server { # v1, with my header\n}\n', 'the edit is untouched')
  t.equal(readFileSync(`${conf}.stock`, 'utf8'), 'server { # v2\n}\n')
  t.match(readFileSync(pre, 'utf8'), '// my edit', 'the edited hook is untouched (its stock did not change: nothing said)')
  t.match(readFileSync(join(root, 'repos/web/hooks/post-receive'), 'utf8'), '// post-receive v2')
  t.same(syncCopies('web', tk), [], 'told once: the next push says nothing')
  const behind = readCopies('web', tk).filter((c) => c.behind).map((c) => c.path)
  t.same(behind, ['templates/nginx/app.conf'], 'doctor warns while app.conf.stock is beside the edit')
  const { rmSync } = await import('node:fs')
  rmSync(`${conf}.stock`)
  t.same(readCopies('web', tk).filter((c) => c.behind), [], 'merged and FILE.stock removed: no warning')
})

t.test('syncCopies: hooks linked to the toolkit by an older install become files; an admin\'s own link is kept', async (t) => {
  const root = hostWithApp(t)
  const tk = v1(join(root, 'toolkit'))
  symlinkSync(join(tk, 'bin', 'pre-receive'), join(root, 'repos/web/hooks/pre-receive'))
  writeFileSync(join(root, 'mine'), '#!/bin/sh\n')
  symlinkSync(join(root, 'mine'), join(root, 'repos/web/hooks/post-receive'))
  syncCopies('web', tk)
  t.notOk(lstatSync(join(root, 'repos/web/hooks/pre-receive')).isSymbolicLink())
  t.ok(lstatSync(join(root, 'repos/web/hooks/post-receive')).isSymbolicLink(), 'never overwritten')
  t.equal(readCopies('web', tk)[1].status, 'edited')
})

t.test('resetCopies: the stock version back, the edit kept as FILE.edited-STAMP', async (t) => {
  const root = hostWithApp(t)
  const tk = v1(join(root, 'toolkit'))
  syncCopies('web', tk)
  const conf = join(root, 'repos/web/templates/nginx/app.conf')
  writeFileSync(conf, 'mine\n')
  const out = resetCopies('web', 'templates/nginx/app.conf', tk)
  t.match(out[0], /^put back the stock repos\/web\/templates\/nginx\/app\.conf; your edit is in repos\/web\/templates\/nginx\/app\.conf\.edited-\d{8}T\d{6}Z$/)
  t.equal(readFileSync(conf, 'utf8'), 'server { # v1\n}\n')
  const aside = readdirSync(dirname(conf)).find((f) => f.startsWith('app.conf.edited-'))!
  t.equal(readFileSync(join(dirname(conf), aside), 'utf8'), 'mine\n')
  t.same(resetCopies('web', 'templates/nginx/app.conf', tk), ['repos/web/templates/nginx/app.conf is already the stock version'])
  chmodSync(conf, 0o644)
  t.same(resetCopies('web', undefined, tk), [], 'nothing edited: nothing to put back')
})

t.test('stock.sha256: the committed manifest holds every hook and template the toolkit ships now', async (t) => {
  const committed = parseManifest(readFileSync(join(checkout, 'templates', 'stock.sha256'), 'utf8'))
  t.ok(committed.ok)
  if (!committed.ok) return
  const current = currentStockHashes(checkout)
  t.ok(current.has('hooks/pre-receive') && current.has('templates/nginx/app.conf'), 'hooks (built) and templates are both covered')
  const missing = missingFrom(committed.value, current)
  t.same(missing, [], `run "npm run stock-hashes" and commit templates/stock.sha256: it lacks the current ${missing.join(', ')}`)
  const built = parseManifest(readFileSync(join(checkout, 'dist', 'stock.sha256'), 'utf8'))
  t.ok(built.ok && missingFrom(built.value, current).length === 0, 'the build puts them all in dist/stock.sha256 too')
})
