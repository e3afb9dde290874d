// imports: the import graph of lib/ and hooks/ has no circle, dynamic imports included (a computed
// `import(`./verbs/${...}.js`)` counts as an import of every file in that folder). Type-only imports are
// erased by the compiler and do not count.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? sources(p) : f.endsWith('.ts') ? [p] : []
  })
}

/** The modules `file` imports at run time, as absolute .ts paths. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = []
  const code = text.replace(/^\s*\/\/.*$/gm, '')
  const add = (spec: string) => {
    if (spec.startsWith('.')) out.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'))
  }
  // static: import x from '...', import { a } from '...', export { a } from '...', import '...'
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    if (m[2] || /^\{?\s*type\s/.test(m[3] ?? '')) {
      // `import type` / `export type`, or every name marked type: erased
      if (m[2] || /^\{\s*(type\s+[\w$]+\s*(as\s+[\w$]+\s*)?,?\s*)+\}\s+from\s+$/.test(m[3] ?? '')) continue
    }
    add(m[4])
  }
  // dynamic: import('...') and import(`prefix${...}suffix`)
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) add(m[1])
  for (const m of code.matchAll(/\bimport\(\s*`([^`$]*)\$\{[^`]*`\s*\)/g)) {
    const dir = resolve(dirname(file), m[1].replace(/[^/]*$/, ''))
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) out.push(join(dir, f))
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
  const verbs = importsOf(join(root, 'lib', 'ssh-command.ts'), 'await import(`./verbs/${verbFile(name)}.js`)')
  t.ok(verbs.some((p) => p.endsWith('/lib/verbs/apps.ts')), 'a computed import reaches every file of its folder')
})

t.test('findCycle: finds a circle, and none in a tree', async (t) => {
  t.same(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a'])
  t.equal(findCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), undefined)
})

t.test('lib/ and hooks/: no import circle', async (t) => {
  const files = [...sources(join(root, 'lib')), ...sources(join(root, 'hooks'))]
  const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]))
  const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${relative(root, f)} -> ${relative(root, d)}`))
  t.same(missing, [], 'every relative import names a file of lib/ or hooks/')
  t.ok(graph.size > 50, 'the graph holds the whole tree')
  const cycle = findCycle(graph)
  t.equal(cycle?.map((f) => relative(root, f)).join(' -> '), undefined, 'no import circle')
})
