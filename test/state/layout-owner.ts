// layout-owner: state/paths.ts is the only module that joins a path of the on-disk layout. A `join(` whose
// arguments name one of the layout's record files or folders anywhere else in lib/ fails, with file and line
// (lib/host/ is left out: it knows no layout, test/imports.ts sees to that, and its `nginx.conf` is nginx's
// own prefix for a check).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const NAMES = ['active.json', 'staged', 'history.jsonl', 'state.json', 'watch.log', 'certs.log', 'live', 'fullchain.pem', 'key.pem', 'activations', 'releases', 'current', 'nginx.conf', 'nginx.conf.next', 'vassals', 'run']
const LAYOUT = new RegExp(`\\bjoin\\([^\\n]*(['"\`])(${NAMES.map((n) => n.replace(/\./g, '\\.')).join('|')})\\1|\\bjoin\\([^\\n]*\\.json\``)

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? sources(p) : f.endsWith('.ts') ? [p] : []
  })
}

/** Lines of `text` that join a layout name by hand. */
export function handJoins(text: string): number[] {
  return text.split('\n').flatMap((l, i) => (LAYOUT.test(l) && !/^\s*(\/\/|\*)/.test(l) ? [i + 1] : []))
}

t.test('layout-owner: a hand-made layout path is found', async (t) => {
  t.same(handJoins("const f = join(appPaths(app).home, 'active.json')\nconst g = join(rel, `${id}.json`)\nconst ok = join(dir, 'package.json')\n"), [1, 2])
})

t.test('layout-owner: no layout path is joined outside state/paths.ts', async (t) => {
  const found: string[] = []
  for (const file of sources(join(root, 'lib'))) {
    const rel = relative(root, file)
    if (rel === 'lib/state/paths.ts' || rel.startsWith('lib/host/')) continue
    for (const line of handJoins(readFileSync(file, 'utf8'))) found.push(`${rel}:${line}`)
  }
  t.same(found, [], `joined by hand (take the path from state/paths.ts): ${found.join(', ')}`)
})
