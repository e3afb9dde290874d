// scripts/transpile: compile lib/ and hooks/ to dist/ one file at a time, with TypeScript's transpileModule
// and no type check: what install.sh needs on a small host (tsc's full type check holds ~200 MB; this
// about two thirds of that). The checked build is `npm run build` (tsc), which CI and `npm test` run.
// Usage: node scripts/transpile.mjs [DIR]   (DIR: a folder whose node_modules holds typescript; default the checkout)
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const require = createRequire(join(process.argv[2] ?? root, 'package.json'))
const ts = require('typescript')
const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'))
const { options, errors } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, root)
// package.json says "type": "module": every .ts here is an ES module (transpileModule cannot look that up)
options.module = ts.ModuleKind.ESNext
delete options.moduleResolution
if (errors.length) throw new Error(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'))

const sources = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  )
let failed = 0
for (const file of [...sources(join(root, 'lib')), ...sources(join(root, 'hooks'))]) {
  const out = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true })
  for (const d of out.diagnostics ?? []) {
    const { line } = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0) : { line: 0 }
    console.error(`${relative(root, file)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    failed++
  }
  const target = join(options.outDir, relative(root, file)).replace(/\.ts$/, '.js')
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, out.outputText)
}
if (failed) process.exitCode = 1
