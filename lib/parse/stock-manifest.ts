// stock-manifest: tell a stock copy of a hook or template from an admin's edit, as certbot-nginx does: the
// toolkit ships the SHA-256 of every version of every hook and template it has ever shipped (stock.sha256,
// `HASH  PATH` lines as sha256sum writes them), and each repo records which stock version each of its copies
// was last reconciled with. Pure: hashes and texts in, decisions out.
import { type Result, ok, fail } from '../errors.js'

/** Path (as inside a repo: `hooks/pre-receive`, `templates/nginx/app.conf`) -> every shipped hash. */
export type Manifest = Map<string, Set<string>>

const LINE = /^([0-9a-f]{64}) {2}([A-Za-z0-9._/-]+)$/
const SAFE_PATH = /^(hooks|templates)\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/

/** Parse `HASH  PATH` lines (blank lines and `#` comments skipped); a bad line is an error naming it. */
export function parseManifest(text: string, file = 'stock.sha256'): Result<Manifest> {
  const m: Manifest = new Map()
  const errors: string[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const hit = LINE.exec(line)
    if (!hit || !SAFE_PATH.test(hit[2]) || hit[2].split('/').includes('..')) {
      errors.push(`${file}:${i + 1}: expected "SHA256  hooks/NAME" or "SHA256  templates/DIR/NAME"`)
      return
    }
    addHash(m, hit[2], hit[1])
  })
  return errors.length ? fail(...errors) : ok(m)
}

export function addHash(m: Manifest, path: string, hash: string): void {
  let set = m.get(path)
  if (!set) m.set(path, (set = new Set()))
  set.add(hash)
}

/** Every hash of `b` added to a copy of `a`. */
export function mergeManifests(a: Manifest, b: Manifest): Manifest {
  const out: Manifest = new Map()
  for (const m of [a, b]) for (const [path, hashes] of m) for (const h of hashes) addHash(out, path, h)
  return out
}

/** One line per (path, hash), sorted by path then hash, under a header saying what the file is. */
export function renderManifest(m: Manifest, header: string[] = []): string {
  const lines: string[] = []
  for (const path of [...m.keys()].sort()) for (const h of [...m.get(path)!].sort()) lines.push(`${h}  ${path}`)
  return [...header.map((l) => `# ${l}`), ...lines, ''].join('\n')
}

/** The (path, hash) pairs of `current` that `m` lacks. */
export function missingFrom(m: Manifest, current: Map<string, string>): string[] {
  return [...current].filter(([path, hash]) => !m.get(path)?.has(hash)).map(([path]) => path)
}

// A stock hook imports the toolkit's library by absolute path; the copy in a repo names the toolkit it was
// written for. Hashes are of the text with that path put back to this default, so one manifest serves every
// install location.
export const DEFAULT_TOOLKIT = '/usr/local/lib/piku-hooks'
const TOOLKIT_IN_HOOK = /'(\/[^'\n]*?)(\/dist\/lib\/[A-Za-z0-9/_.-]+\.js)'/

/** The hook text as written for `toolkit`. */
export function hookForToolkit(stockText: string, toolkit: string): string {
  return stockText.replace(TOOLKIT_IN_HOOK, (_m, _root: string, rest: string) => `'${toolkit}${rest}'`)
}

/** The hook text with its toolkit path put back to the default, as hashed in the manifest. */
export function normalizeHook(text: string): string {
  return hookForToolkit(text, DEFAULT_TOOLKIT)
}

/** What is known about one copy in a repo, read by the caller. */
export interface CopyFacts {
  path: string // as inside the repo: hooks/pre-receive, templates/nginx/app.conf
  stockHash: string // of the stock version the toolkit ships now
  copyHash?: string // of the copy (hooks: normalized); undefined when there is no copy
  oldLink?: boolean // the copy is a symlink to the toolkit (how hooks were installed before they were files)
  baseHash?: string // the stock version the copy was last reconciled with (repos/APP/piku-stock.sha256)
  beside?: boolean // FILE.stock exists: the stock version put beside an edit when the stock changed
  known: Set<string> // every hash the toolkit ever shipped for this path
}

export type CopyStatus =
  | 'missing' // no copy: the next push or install.sh writes the stock one
  | 'stock' // byte-identical to what the toolkit ships now
  | 'old-stock' // identical to an earlier stock version: the next push or install.sh refreshes it
  | 'edited' // changed by an admin: never touched

export function copyStatus(f: CopyFacts): CopyStatus {
  if (f.oldLink) return 'old-stock'
  if (f.copyHash === undefined) return 'missing'
  if (f.copyHash === f.stockHash) return 'stock'
  return f.known.has(f.copyHash) ? 'old-stock' : 'edited'
}

export type CopyAction =
  | { action: 'none' } // stock and recorded as such
  | { action: 'record' } // stock, but the repo's record says otherwise: record it
  | { action: 'write'; reason: 'missing' | 'refresh' } // put the stock version in place (and record it)
  | { action: 'keep'; stockChanged: boolean } // an edit: leave it; when the stock changed since, put the new stock beside it

/**
 * What a push or install.sh does with one copy. An edited copy is never written: when the stock version
 * changed since the edit was last reconciled, the new stock goes beside it as FILE.stock, the admin is told
 * once, and the record moves on (so the next push does not say it again).
 */
export function planCopy(f: CopyFacts): CopyAction {
  const status = copyStatus(f)
  if (status === 'missing') return { action: 'write', reason: 'missing' }
  if (status === 'old-stock') return { action: 'write', reason: 'refresh' }
  if (status === 'stock') return f.baseHash === f.stockHash ? { action: 'none' } : { action: 'record' }
  return { action: 'keep', stockChanged: f.baseHash !== f.stockHash }
}

/** Whether an edited copy's stock original has changed since the edit was made (doctor warns): the new stock
 *  is beside it (FILE.stock, until the admin has merged it and removed that file), or not even recorded yet. */
export function editIsBehind(f: CopyFacts): boolean {
  return copyStatus(f) === 'edited' && (f.beside === true || f.baseHash !== f.stockHash)
}
