// stock-hashes: the build step that keeps the manifest of shipped hooks and templates (run by `npm run build`
// after tsc). templates/stock.sha256 in the checkout is committed and only ever grows: every version of
// every hook and template the toolkit has shipped, so an upgrade can tell an old stock copy (refreshed) from
// an admin's edit (kept). The build writes dist/stock.sha256 = that file plus the current versions, so an
// installed toolkit always knows its own files; `--update` adds the current versions to templates/stock.sha256 itself.
//   node dist/lib/entries/stock-hashes.js [--update]
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startedAs, stockManifestPath, toolkitRoot } from '../state/paths.js'
import { type Manifest, addHash, mergeManifests, missingFrom, parseManifest, renderManifest } from '../parse/stock-manifest.js'
import * as log from '../log.js'

export const MANIFEST_HEADER = [
  'stock.sha256: the SHA-256 of every version of every hook and template piku-hooks has shipped (HASH  PATH).',
  'Only ever add lines: an upgrade refreshes an app copy whose hash is here and keeps any other as an edit.',
  'npm run stock-hashes adds the current versions; test/state/stock.ts fails while one is missing.',
]

export function committedManifestPath(checkout: string): string {
  return join(checkout, 'templates', 'stock.sha256')
}

export function readManifestFile(file: string): Manifest {
  if (!existsSync(file)) return new Map()
  const parsed = parseManifest(readFileSync(file, 'utf8'), file)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return parsed.value
}

/** Build step: dist/stock.sha256 (and with `update`, templates/stock.sha256) = the committed manifest + current files. */
export async function buildManifest(checkout: string, update: boolean): Promise<string[]> {
  const { currentStockHashes } = await import('../state/stock.js')
  const committed = readManifestFile(committedManifestPath(checkout))
  const current: Manifest = new Map()
  const hashes = currentStockHashes(checkout)
  for (const [path, hash] of hashes) addHash(current, path, hash)
  const missing = missingFrom(committed, hashes)
  const text = renderManifest(mergeManifests(committed, current), MANIFEST_HEADER)
  writeFileSync(stockManifestPath(checkout), text)
  if (update && missing.length) writeFileSync(committedManifestPath(checkout), text)
  return missing
}

if (startedAs('stock-hashes.js')) {
  const update = process.argv.includes('--update')
  buildManifest(toolkitRoot(), update).then(
    (missing) => {
      if (update && missing.length) log.outLine(`stock.sha256: added the current ${missing.join(', ')}`)
    },
    (e: unknown) => {
      log.note(`stock-hashes: ${(e as Error).message}`)
      process.exitCode = 1
    },
  )
}
