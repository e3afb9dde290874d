// check-coverage: after `tap`, hold each folder of lib/ to its floor of covered lines (from
// .tap/report/coverage-summary.json, written by the json-summary reporter). The pure parsers and
// renderers must be covered line for line by unit tests; tap's own thresholds (package.json) hold the total.
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

const FLOORS = { 'lib/parse': 100, 'lib/render': 100 }
const file = '.tap/report/coverage-summary.json'
let summary
try {
  summary = JSON.parse(readFileSync(file, 'utf8'))
} catch (e) {
  console.error(`check-coverage: cannot read ${file} (${e.message}); run tap with coverage first`)
  process.exit(1)
}
let failed = false
for (const [folder, floor] of Object.entries(FLOORS)) {
  const files = Object.entries(summary).filter(([f]) => f !== 'total' && relative(process.cwd(), f).startsWith(`${folder}/`))
  const total = files.reduce((n, [, v]) => n + v.lines.total, 0)
  const covered = files.reduce((n, [, v]) => n + v.lines.covered, 0)
  const pct = total ? (100 * covered) / total : 0
  const short = files.filter(([, v]) => v.lines.pct < floor).map(([f, v]) => `${relative(process.cwd(), f)} ${v.lines.pct}%`)
  if (!total || pct < floor) {
    failed = true
    console.error(`check-coverage: ${folder}: ${pct.toFixed(2)}% of lines covered, needs ${floor}%${short.length ? ` (${short.join(', ')})` : ''}`)
  } else console.log(`check-coverage: ${folder}: ${pct.toFixed(2)}% of lines covered (floor ${floor}%)`)
}
process.exit(failed ? 1 : 0)
