// function-length: no function in lib/ runs over 80 lines unless a comment right above it says why (a
// comment holding "over 80 lines"). A long function is where the costly mistakes hide; split it into named
// steps, or say why it must stay whole. Read with the TypeScript compiler, so arrow functions and methods
// count too; a function's length is from its first line to its last.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import t from 'tap'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const MAX_LINES = 80
const EXPLAINED = /over 80 lines/i

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? sources(p) : f.endsWith('.ts') && !f.endsWith('.d.ts') ? [p] : []
  })
}

export interface LongFunction {
  name: string
  line: number // 1-based, where the function starts
  lines: number
  explained: boolean
}

/** Every function in `text` longer than `max` lines, with whether a comment above it explains why. */
export function longFunctions(file: string, text: string, max = MAX_LINES): LongFunction[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const out: LongFunction[] = []
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line
      const lines = end - start + 1
      if (lines > max) {
        // the comment may sit above the function, or above the statement that holds it (export const f = () => ...)
        let holder: ts.Node = node
        while (holder.parent && !ts.isSourceFile(holder.parent) && !ts.isBlock(holder.parent) && !ts.isClassLike(holder.parent)) holder = holder.parent
        const comments = ts.getLeadingCommentRanges(text, holder.getFullStart()) ?? []
        const explained = comments.some((c) => EXPLAINED.test(text.slice(c.pos, c.end)))
        const name = node.name && ts.isIdentifier(node.name) ? node.name.text : ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent.name.text : '(anonymous)'
        out.push({ name, line: start + 1, lines, explained })
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return out
}

t.test('function-length: a long function is found, and a comment saying why lets it pass', async (t) => {
  const body = Array.from({ length: 85 }, (_, i) => `  const x${i} = ${i}`).join('\n')
  const long = longFunctions('a.ts', `export function big(): void {\n${body}\n}\n`)
  t.match(long, [{ name: 'big', line: 1, lines: 87, explained: false }])
  const arrow = longFunctions('a.ts', `// the parser: over 80 lines because ...\nexport const big = () => {\n${body}\n}\n`)
  t.match(arrow, [{ name: 'big', line: 2, explained: true }])
  t.same(longFunctions('a.ts', `function small() {\n  return 1\n}\n`), [])
})

t.test('function-length: no function in lib/ over 80 lines without a comment saying why', async (t) => {
  const unexplained: string[] = []
  for (const file of sources(join(root, 'lib'))) {
    for (const f of longFunctions(file, readFileSync(file, 'utf8'))) {
      if (!f.explained) unexplained.push(`${relative(root, file)}:${f.line}: ${f.name} is ${f.lines} lines (split it, or say why in a comment holding "over ${MAX_LINES} lines")`)
    }
  }
  t.same(unexplained, [], unexplained.join('\n'))
})
