// stock: each app's own copies of the toolkit's hooks and templates in its bare repo (repos/APP/hooks/,
// repos/APP/templates/), and keeping them right across upgrades: a copy still identical to a version the
// toolkit shipped is refreshed, an admin's edit is never touched (the new stock version goes beside it as
// FILE.stock), and repos/APP/piku-stock.sha256 records which stock version each copy was reconciled with.
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { APP_TEMPLATE_DIRS, HOST_TEMPLATES, appPaths, displayPath, hostPaths, stockHookPath, stockManifestPath, toolkitRoot } from './paths.js'
import { validateAppName } from '../parse/app-name.js'
import { writeFileAtomic } from '../host/atomic-file.js'
import { isErrno } from '../errors.js'
import {
  type CopyFacts,
  type CopyStatus,
  type Manifest,
  addHash,
  copyStatus,
  editIsBehind,
  hookForToolkit,
  normalizeHook,
  parseManifest,
  planCopy,
  renderManifest,
} from '../parse/stock-manifest.js'

export const HOOKS = ['pre-receive', 'post-receive'] as const

export interface StockFile {
  path: string // inside a repo: hooks/pre-receive, templates/nginx/app.conf
  source: string // the toolkit's file
  hook: boolean
}

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex')

/** Every file an app gets a copy of: the two git hooks and every nginx and uwsgi template but the host's own. */
export function stockFiles(toolkit: string = toolkitRoot()): StockFile[] {
  const files: StockFile[] = HOOKS.map((h) => ({ path: `hooks/${h}`, source: stockHookPath(h, toolkit), hook: true }))
  const walk = (dir: string, rel: string): void => {
    if (!existsSync(dir)) return
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue
      const r = `${rel}/${e.name}`
      if (e.isDirectory()) walk(join(dir, e.name), r)
      else if (e.isFile() && !HOST_TEMPLATES.includes(r)) files.push({ path: `templates/${r}`, source: join(dir, e.name), hook: false })
    }
  }
  for (const d of APP_TEMPLATE_DIRS) walk(join(toolkit, 'templates', d), d)
  return files
}

/** The text an app's copy gets: templates as shipped, hooks with this toolkit's path in their import. */
export function stockText(f: StockFile, toolkit: string = toolkitRoot()): string {
  const text = readFileSync(f.source, 'utf8')
  return f.hook ? hookForToolkit(text, toolkit) : text
}

/** The manifest's hash of a text at `path` (a hook's toolkit path put back to the default first). */
export function hashFor(path: string, text: string): string {
  return sha256(path.startsWith('hooks/') ? normalizeHook(text) : text)
}

/** The current stock hashes (path -> hash) of a toolkit or checkout. */
export function currentStockHashes(toolkit: string = toolkitRoot()): Map<string, string> {
  return new Map(stockFiles(toolkit).map((f) => [f.path, hashFor(f.path, readFileSync(f.source, 'utf8'))]))
}

export function readManifest(file: string = stockManifestPath()): Manifest {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  const parsed = parseManifest(text, file)
  if (!parsed.ok) throw new Error(parsed.errors[0])
  return parsed.value
}

function readState(app: string): Map<string, string> {
  const state = new Map<string, string>()
  const file = appPaths(app).stockState
  if (!existsSync(file)) return state
  const parsed = parseManifest(readFileSync(file, 'utf8'), displayPath(file))
  if (!parsed.ok) return state // a damaged record: every edit counts as not reconciled (told again, nothing lost)
  for (const [path, hashes] of parsed.value) state.set(path, [...hashes][0])
  return state
}

function writeState(app: string, state: Map<string, string>): void {
  const m: Manifest = new Map()
  for (const [path, hash] of state) addHash(m, path, hash)
  const header = ['piku-hooks: the stock version each copy in this repo was last reconciled with (do not edit)']
  writeFileAtomic(appPaths(app).stockState, renderManifest(m, header), 0o644)
}

/** What is in the repo at `path`: its manifest hash, or that it is a link left by an older install. */
function readCopy(file: string, path: string): { hash?: string; oldLink?: boolean } {
  let st
  try {
    st = lstatSync(file)
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no copy in the repo
    return {}
  }
  if (st.isSymbolicLink()) {
    const target = readlinkSync(file)
    // hooks used to be links to the toolkit's bin/ shims; any other link is the admin's own
    if (path.startsWith('hooks/') && target.endsWith(`/bin/${path.slice('hooks/'.length)}`)) return { oldLink: true }
    if (!existsSync(file) || !statSync(file).isFile()) return { hash: `link:${target}` }
  } else if (!st.isFile()) {
    return { hash: 'not-a-file' }
  }
  return { hash: hashFor(path, readFileSync(file, 'utf8')) }
}

export interface CopyReport extends CopyFacts {
  file: string // absolute path of the copy
  status: CopyStatus
  behind: boolean // edited, and the stock version changed since (FILE.stock holds the new one)
}

/** Each stock file's copy in the app's repo, with its status. */
export function readCopies(app: string, toolkit: string = toolkitRoot(), manifest: Manifest = readManifest(stockManifestPath(toolkit))): CopyReport[] {
  const state = readState(app)
  const repo = appPaths(app).repo
  return stockFiles(toolkit).map((f) => {
    const file = join(repo, f.path)
    const copy = readCopy(file, f.path)
    const facts: CopyFacts = {
      path: f.path,
      stockHash: hashFor(f.path, readFileSync(f.source, 'utf8')),
      copyHash: copy.hash,
      oldLink: copy.oldLink,
      baseHash: state.get(f.path),
      beside: existsSync(`${file}.stock`),
      known: manifest.get(f.path) ?? new Set(),
    }
    return { ...facts, file, status: copyStatus(facts), behind: editIsBehind(facts) }
  })
}

function writeCopy(f: StockFile, file: string, toolkit: string): void {
  const mode = f.hook ? 0o755 : 0o644
  writeFileAtomic(file, stockText(f, toolkit), mode)
  chmodSync(file, mode)
}

/**
 * Bring the app's copies up to date with the toolkit: write missing ones, refresh unedited ones, keep edits
 * (new stock beside them). Returns what to tell the admin, one line each (empty when nothing changed).
 */
export function syncCopies(app: string, toolkit: string = toolkitRoot()): string[] {
  const manifest = readManifest(stockManifestPath(toolkit))
  const files = new Map(stockFiles(toolkit).map((f) => [f.path, f]))
  const state = readState(app)
  const before = new Map(state)
  const written: string[] = []
  const refreshed: string[] = []
  const notes: string[] = []
  for (const c of readCopies(app, toolkit, manifest)) {
    const f = files.get(c.path)!
    const plan = planCopy(c)
    if (plan.action === 'write') {
      writeCopy(f, c.file, toolkit)
      ;(plan.reason === 'missing' ? written : refreshed).push(c.path)
    }
    if (plan.action !== 'keep') {
      state.set(c.path, c.stockHash)
      if (c.beside) rmSync(`${c.file}.stock`, { force: true }) // ours: the copy is stock again
    } else if (plan.stockChanged) {
      writeFileAtomic(`${c.file}.stock`, stockText(f, toolkit), 0o644)
      state.set(c.path, c.stockHash)
      notes.push(`kept your edit of ${displayPath(c.file)}; the new stock version is at ${displayPath(c.file)}.stock`)
    }
  }
  const changed = [...state].some(([p, h]) => before.get(p) !== h) || state.size !== before.size
  if (changed) writeState(app, state)
  const repo = displayPath(appPaths(app).repo)
  const some = (paths: string[]) => (paths.length > 4 ? `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more` : paths.join(', '))
  const files_ = (n: number, what: string) => `${n} ${what} ${n === 1 ? 'copy' : 'copies'}`
  const out: string[] = []
  if (written.length === files.size) out.push(`wrote ${app}'s git hooks and templates into ${repo}/ (yours to edit: see "hooks ${app}")`)
  else if (written.length) out.push(`wrote ${files_(written.length, 'missing stock')} into ${repo}/: ${some(written)}`)
  if (refreshed.length) out.push(`updated ${files_(refreshed.length, 'unedited stock')} in ${repo}/: ${some(refreshed)}`)
  return [...out, ...notes]
}

/** A UTC stamp for file names: 20261202T071500Z. */
function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
}

/** Sync the copies of every app under the host root (install.sh's pass after an upgrade, through
 *  lib/entries/repo-hooks.ts); returns the lines to print. */
export function syncAllApps(toolkit: string = toolkitRoot()): string[] {
  const repos = hostPaths().repos
  if (!existsSync(repos)) return []
  const out: string[] = []
  for (const app of readdirSync(repos).sort()) {
    if (!validateAppName(app).ok || !existsSync(join(repos, app, 'HEAD'))) continue
    out.push(...syncCopies(app, toolkit))
  }
  return out
}

/**
 * Put the stock version back for `path` (or for every edited copy): the edited copy is renamed to
 * FILE.edited-STAMP first, so nothing is lost. Returns one line per file put back.
 */
export function resetCopies(app: string, path: string | undefined, toolkit: string = toolkitRoot()): string[] {
  const files = new Map(stockFiles(toolkit).map((f) => [f.path, f]))
  const copies = readCopies(app, toolkit)
  const chosen = path === undefined ? copies.filter((c) => c.status !== 'stock') : copies.filter((c) => c.path === path)
  const state = readState(app)
  const out: string[] = []
  const when = stamp()
  for (const c of chosen) {
    let kept = ''
    if (c.status === 'edited') {
      const aside = `${c.file}.edited-${when}`
      renameSync(c.file, aside)
      kept = `; your edit is in ${displayPath(aside)}`
    } else if (c.status === 'stock') {
      out.push(`${displayPath(c.file)} is already the stock version`)
      continue
    }
    writeCopy(files.get(c.path)!, c.file, toolkit)
    rmSync(`${c.file}.stock`, { force: true })
    state.set(c.path, c.stockHash)
    out.push(`put back the stock ${displayPath(c.file)}${kept}`)
  }
  writeState(app, state)
  return out
}
