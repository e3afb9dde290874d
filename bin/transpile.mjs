// bin/transpile: compile the toolkit to dist/ one file at a time, with TypeScript's transpileModule and no
// type check: what install.sh needs on a small host (tsc's type check holds ~200 MB; this about three quarters
// of that). lib/**/*.ts as tsconfig.json says, hooks/*.cts as tsconfig.hooks.json says; the stock
// manifest is install.sh's next step (as `npm run build` ends with it). The output is the same JavaScript. The checked build is `npm run build`.
// Usage: node bin/transpile.mjs [DIR]   (DIR: a folder whose node_modules holds typescript; default the checkout)
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const require = createRequire(join(resolve(process.argv[2] ?? root), 'package.json'))
const ts = require('typescript')

/** The compiler options of a tsconfig file (its `extends` followed), made fit for transpileModule. */
function optionsOf(file, moduleKind) {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, file), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')) } })
  if (parsed.errors.length) throw new Error(parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'))
  // transpileModule cannot look up package.json's "type": .ts files are said to be ES modules outright
  // (.cts files are CommonJS by their extension, and keep NodeNext: import() stays import())
  const options = { ...parsed.options }
  if (moduleKind !== undefined) {
    options.module = moduleKind
    delete options.moduleResolution
  }
  return { options, files: parsed.fileNames }
}

let failed = 0
const units = [
  { config: 'tsconfig.json', module: ts.ModuleKind.ESNext, ext: '.js' }, // "type": "module": .ts files are ES modules
  { config: 'tsconfig.hooks.json', module: undefined, ext: '.cjs' },
]
for (const unit of units) {
  if (!existsSync(join(root, unit.config))) continue
  const { options, files } = optionsOf(unit.config, unit.module)
  for (const file of files) {
    const out = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true })
    for (const d of out.diagnostics ?? []) {
      const { line } = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0) : { line: 0 }
      console.error(`${relative(root, file)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
      failed++
    }
    const target = join(options.outDir, relative(root, file)).replace(/\.c?ts$/, unit.ext)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, out.outputText)
  }
}
if (failed) process.exit(1)
// the stock manifest (dist/stock.sha256) is install.sh's next step, in a process of its own: started from here it
// would run while this one still holds the compiler (~130 MB), and the two together outgrow a 256 MB host
