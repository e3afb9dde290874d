// imports: the import graph of lib/ and hooks/ has no circle, dynamic imports included (a computed
// `import(`./verbs/${...}.js`)` counts as an import of every file in that folder). Type-only imports are
// erased by the compiler and do not count. The hooks (*.cts) load the toolkit by its installed path
// ('/usr/local/lib/piku-hooks/dist/lib/deploy/pre-receive.js', held in a const): a path into dist/ counts
// as an import of the source it is compiled from; an import this test cannot resolve fails it. And the layers
// hold: no import goes the wrong way (LAYERS below), each wrong one reported with its file and line.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const SOURCE = /\.[cm]?ts$/

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? sources(p) : SOURCE.test(f) && !f.endsWith('.d.ts') ? [p] : []
  })
}

/** The source a compiled name stands for: x.js -> x.ts, x.cjs -> x.cts, x.mjs -> x.mts. */
function sourceOf(path: string): string {
  return path.replace(/\.([cm]?)js$/, '.$1ts')
}

/** One run-time import of a file: the absolute source path it names (or `unresolved: ...` for an import whose
 *  target cannot be read from the text), and the line it is on. */
export type ImportSite = { target: string; line: number }

/** The modules `file` imports at run time, each with its line. */
export function importSitesOf(file: string, text: string, checkout: string = root): ImportSite[] {
  const out: ImportSite[] = []
  // comments are blanked, not removed, so every match keeps its line
  const code = text.replace(/^\s*\/\/.*$/gm, '')
  const lineAt = (index: number) => code.slice(0, index).split('\n').length
  // const NAME = '...': a hook names the toolkit's module in one, then imports it
  const consts = new Map([...code.matchAll(/\bconst\s+([\w$]+)\s*=\s*['"]([^'"]+)['"]/g)].map((m) => [m[1], m[2]]))
  const add = (spec: string, index: number) => {
    const line = lineAt(index)
    if (spec.startsWith('.')) out.push({ target: sourceOf(resolve(dirname(file), spec)), line })
    else if (spec.startsWith('/')) {
      // an installed toolkit path: <toolkit>/dist/lib/... or /dist/hooks/... is compiled from lib/ or hooks/
      const m = /\/dist\/((?:lib|hooks)\/.+)$/.exec(spec)
      out.push({ target: m ? sourceOf(join(checkout, m[1])) : `unresolved: ${spec}`, line })
    }
  }
  // static: import x from '...', import { a } from '...', export { a } from '...', import '...'
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    if (m[2] || /^\{?\s*type\s/.test(m[3] ?? '')) {
      // `import type` / `export type`, or every name marked type: erased
      if (m[2] || /^\{\s*(type\s+[\w$]+\s*(as\s+[\w$]+\s*)?,?\s*)+\}\s+from\s+$/.test(m[3] ?? '')) continue
    }
    add(m[4], m.index + m[0].length - m[4].length)
  }
  // dynamic and CommonJS: import('...'), require('...'), and the same through a const holding the path
  for (const m of code.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) add(m[1], m.index)
  for (const m of code.matchAll(/\b(?:import|require)\(\s*([\w$]+)\s*\)/g)) {
    const spec = consts.get(m[1])
    if (spec === undefined) out.push({ target: `unresolved: ${m[0]}`, line: lineAt(m.index) })
    else add(spec, m.index)
  }
  for (const m of code.matchAll(/\bimport\(\s*`([^`$]*)\$\{[^`]*`\s*\)/g)) {
    const dir = resolve(dirname(file), m[1].replace(/[^/]*$/, ''))
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) out.push({ target: join(dir, f), line: lineAt(m.index) })
  }
  return out
}

/** The modules `file` imports at run time, as absolute source paths (or `unresolved: ...`, which the
 *  whole-tree test reports). */
export function importsOf(file: string, text: string, checkout: string = root): string[] {
  return importSitesOf(file, text, checkout).map((s) => s.target)
}

// The layers of lib/, each with the layers it may import at run time (type-only imports are erased and do not
// count). `basics` are lib/'s top files, the only files allowed there; a folder missing here is refused, so a
// new one gets a place in the order. host/ knows no layout: it imports nothing from state/, deploy/, verbs/
// or entries/; parse/ and render/ are pure and import only each other and the basics.
const BASICS = ['errors.ts', 'log.ts']
export const LAYERS: Record<string, string[]> = {
  basics: ['basics'],
  parse: ['parse', 'render', 'basics'],
  render: ['parse', 'render', 'basics'],
  host: ['host', 'parse', 'render', 'basics'],
  state: ['state', 'host', 'parse', 'render', 'basics'],
  deploy: ['deploy', 'state', 'host', 'parse', 'render', 'basics'],
  verbs: ['verbs', 'deploy', 'state', 'host', 'parse', 'render', 'basics'],
  entries: ['entries', 'verbs', 'deploy', 'state', 'host', 'parse', 'render', 'basics'],
}

/** The layer of a file under `lib` (lib/host/x.ts -> host, lib/log.ts -> basics), or an error message. */
export function layerOf(lib: string, file: string): { layer: string } | { error: string } {
  const parts = relative(lib, file).split(sep)
  if (parts.length === 1) return BASICS.includes(parts[0]) ? { layer: 'basics' } : { error: `lib/'s top holds only the shared basics (${BASICS.join(', ')}): move it into a layer's folder` }
  return parts[0] in LAYERS ? { layer: parts[0] } : { error: `lib/${parts[0]}/ is in no layer: add it to LAYERS in test/imports.ts` }
}

/** Every wrong-way run-time import of the files under `checkout`/lib, as `lib/FILE:LINE: message` lines. */
export function wrongWayImports(checkout: string): string[] {
  const lib = join(checkout, 'lib')
  const out: string[] = []
  for (const file of sources(lib)) {
    const name = relative(checkout, file)
    const from = layerOf(lib, file)
    if ('error' in from) {
      out.push(`${name}:1: ${from.error}`)
      continue
    }
    for (const site of importSitesOf(file, readFileSync(file, 'utf8'), checkout)) {
      if (site.target.startsWith('unresolved: ') || relative(lib, site.target).startsWith('..')) continue
      const to = layerOf(lib, site.target)
      if ('error' in to) continue // reported at the file itself
      if (!LAYERS[from.layer].includes(to.layer)) {
        out.push(`${name}:${site.line}: ${from.layer} imports ${relative(checkout, site.target)} (${to.layer}); ${from.layer} may import only ${LAYERS[from.layer].join(', ')}`)
      }
    }
  }
  return out
}

/** The first circle found in `graph`, as a list of nodes that ends where it starts, or undefined. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n]
    state.set(n, 'open')
    stack.push(n)
    for (const m of graph.get(n) ?? []) {
      const c = visit(m)
      if (c) return c
    }
    stack.pop()
    state.set(n, 'done')
    return undefined
  }
  for (const n of graph.keys()) {
    const c = visit(n)
    if (c) return c
  }
  return undefined
}

t.test('importsOf: static, re-exports, dynamic and computed imports; type-only ones erased', async (t) => {
  const f = join(root, 'lib', 'x.ts')
  const text = [
    "import { a } from './a.js'",
    "import type { B } from './b.js'",
    "import { type C } from './c.js'",
    "export { d } from './d.js'",
    "export type { E } from './e.js'",
    "import * as g from 'node:fs'",
    "// import { no } from './comment.js'",
    "const h = await import('./h.js')",
  ].join('\n')
  t.same(importsOf(f, text).map((p) => relative(join(root, 'lib'), p)), ['a.ts', 'd.ts', 'h.ts'])
  const verbs = importsOf(join(root, 'lib', 'entries', 'ssh-command.ts'), 'await import(`../verbs/${verbFile(name)}.js`)')
  t.ok(verbs.some((p) => p.endsWith('/lib/verbs/apps.ts')), 'a computed import reaches every file of its folder')
})

t.test('importsOf: a hook\'s toolkit path held in a const, require(), .cts names; an unreadable import is reported', async (t) => {
  const hook = join(root, 'hooks', 'pre-receive.cts')
  const text = [
    "#!/usr/bin/env node",
    "const preReceive = '/usr/local/lib/piku-hooks/dist/lib/deploy/pre-receive.js'; // the toolkit's code",
    'import(preReceive).then((hook) => hook.main());',
  ].join('\n')
  t.same(importsOf(hook, text), [join(root, 'lib', 'deploy', 'pre-receive.ts')])
  t.same(importsOf(hook, "const x = '/opt/other/dist/lib/log.js'\nrequire(x)"), [join(root, 'lib', 'log.ts')], 'any toolkit folder')
  t.same(importsOf(hook, "require('../lib/a.js'); require('./b.cjs'); import('./c.mjs'); require('node:fs')"), [
    join(root, 'lib', 'a.ts'),
    join(root, 'hooks', 'b.cts'),
    join(root, 'hooks', 'c.mts'),
  ])
  t.same(importsOf(hook, 'import(somewhere)'), ['unresolved: import(somewhere)'])
  t.same(importsOf(hook, "import('/etc/x.js')"), ['unresolved: /etc/x.js'])
})

t.test('findCycle: finds a circle, and none in a tree', async (t) => {
  t.same(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a'])
  t.equal(findCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), undefined)
})

/** The import graph of the whole tree: lib/ and hooks/, each file to the files it imports. */
function treeGraph(): Map<string, string[]> {
  const files = [...sources(join(root, 'lib')), ...sources(join(root, 'hooks'))]
  return new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]))
}

const shown = (f: string) => (f.startsWith('unresolved: ') ? f : relative(root, f))

t.test('lib/ and hooks/: no import circle', async (t) => {
  const graph = treeGraph()
  const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${shown(f)} -> ${shown(d)}`))
  t.same(missing, [], 'every import of lib/ or hooks/ code names a file there')
  t.ok(graph.size > 50, 'the graph holds the whole tree')
  for (const hook of ['pre-receive', 'post-receive']) {
    t.same(graph.get(join(root, 'hooks', `${hook}.cts`)), [join(root, 'lib', 'deploy', `${hook}.ts`)], `hooks/${hook}.cts is in the graph, importing its lib code`)
  }
  const cycle = findCycle(graph)
  t.equal(cycle?.map(shown).join(' -> '), undefined, 'no import circle')
})

t.test('lib/ and hooks/: a circle through a hook would be found', async (t) => {
  const graph = treeGraph()
  const hook = join(root, 'hooks', 'pre-receive.cts')
  const lib = join(root, 'lib', 'deploy', 'pre-receive.ts')
  graph.set(lib, [...graph.get(lib)!, hook]) // as if lib/deploy/pre-receive.ts imported the hook back
  const cycle = findCycle(graph)?.map(shown)
  t.equal(cycle?.length, 3, cycle?.join(' -> ') ?? 'a circle')
  t.same(new Set(cycle), new Set(['hooks/pre-receive.cts', 'lib/deploy/pre-receive.ts']))
})

t.test('importSitesOf: each import with its line, comments kept in the count', async (t) => {
  const f = join(root, 'lib', 'x.ts')
  const text = ["// a comment", "import { a } from './a.js'", '', "export { d } from './d.js'", 'const h = await import(\'./h.js\')'].join('\n')
  t.same(importSitesOf(f, text).map((s) => `${relative(join(root, 'lib'), s.target)}:${s.line}`), ['a.ts:2', 'd.ts:4', 'h.ts:5'])
})

t.test('lib/: no import goes the wrong way between layers', async (t) => {
  t.same(wrongWayImports(root), [], 'host/ imports no state/, deploy/, verbs/ or entries/; parse/ and render/ only parse/, render/ and the basics')
})

t.test('wrongWayImports: a fixture tree with wrong-way imports is rejected, each with its file and line', async (t) => {
  const dir = t.testdir({
    lib: {
      'errors.ts': '// errors\n',
      'log.ts': '// log\n',
      'stray.ts': "import { x } from './host/run.js'\n",
      host: {
        'run.ts': "import { UserError } from '../errors.js'\nimport type { AppPaths } from '../state/paths.js'\n",
        'bad.ts': "// bad: reads the layout\nimport { a } from './run.js'\nimport { appPaths } from '../state/paths.js'\nconst d = await import('../deploy/go.js')\n",
      },
      parse: { 'p.ts': "import { r } from '../render/r.js'\nimport * as log from '../log.js'\nimport { run } from '../host/run.js'\n" },
      render: { 'r.ts': "import { type Plan } from '../state/paths.js'\n" },
      state: { 'paths.ts': "import { run } from '../host/run.js'\nimport { go } from '../deploy/go.js'\n" },
      deploy: { 'go.ts': "import { appPaths } from '../state/paths.js'\n" },
      odd: { 'o.ts': '// a folder in no layer\n' },
    },
  })
  t.same(wrongWayImports(dir).sort(), [
    'lib/host/bad.ts:3: host imports lib/state/paths.ts (state); host may import only host, parse, render, basics',
    'lib/host/bad.ts:4: host imports lib/deploy/go.ts (deploy); host may import only host, parse, render, basics',
    "lib/odd/o.ts:1: lib/odd/ is in no layer: add it to LAYERS in test/imports.ts",
    'lib/parse/p.ts:3: parse imports lib/host/run.ts (host); parse may import only parse, render, basics',
    'lib/state/paths.ts:2: state imports lib/deploy/go.ts (deploy); state may import only state, host, parse, render, basics',
    "lib/stray.ts:1: lib/'s top holds only the shared basics (errors.ts, log.ts): move it into a layer's folder",
  ])
})
