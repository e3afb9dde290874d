// upkeep: what keeps a host from filling up without cron: which dependency caches and deploy logs a deploy
// may remove, one-copy rotation of our own logs, and the low-disk warning. Pure planners first, then the edges.
import { existsSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, statfsSync } from 'node:fs'
import { basename, join } from 'node:path'
import { appPaths } from './paths.js'
import type { ReleasePlan } from './release.js'
import { isErrno } from '../errors.js'

/** A cache folder keyed by a lockfile hash (runtime/build.ts names them KIND-HASH16). Shared caches
 *  such as uv-cache, go, go-build, cargo-home and cargo-target are never pruned. */
const KEYED_DEPS = /^(node|py|uv|go|ruby|rust)-[0-9a-f]{16}$/
const DEPLOY_LOG = /^v(\d+)\.log$/

export const DEPLOY_LOG_MAX_BYTES = 1024 * 1024
export const WATCH_LOG_MAX_BYTES = 256 * 1024
export const LOW_DISK_BYTES = 1024 ** 3
export const LOW_DISK_RATIO = 0.05

/** Names (in deps/APP) a kept release may use: the folder its plan records; for plans written before
 *  plans recorded it, every keyed folder its plan mentions or its release links to. */
export function depsUsedBy(plan: ReleasePlan & { depsDir?: string }, links: string[] = []): Set<string> {
  const used = new Set<string>()
  if (plan.depsDir) used.add(basename(plan.depsDir))
  if (!('depsDir' in plan)) {
    const text = JSON.stringify(plan) + '\n' + links.join('\n')
    for (const m of text.matchAll(/\/deps\/[^/"\n]+\/([a-z]+-[0-9a-f]{16})(?=[/"\n]|$)/g)) used.add(m[1])
  }
  return used
}

/** Keyed cache folders in `entries` that no kept release uses. */
export function planDepsPrune(entries: string[], used: Set<string>): string[] {
  return entries.filter((e) => KEYED_DEPS.test(e) && !used.has(e)).sort()
}

/** Deploy logs (vN.log) beyond the newest `keep`, except those of releases still on disk (`onDisk`). */
export function planDeployLogPrune(files: string[], keep: number, onDisk: Set<string> = new Set()): string[] {
  return files
    .filter((f) => DEPLOY_LOG.test(f))
    .sort((a, b) => Number(DEPLOY_LOG.exec(b)![1]) - Number(DEPLOY_LOG.exec(a)![1]))
    .slice(Math.max(keep, 1))
    .filter((f) => !onDisk.has(f.slice(0, -'.log'.length)))
}

/** One line when the home's filesystem runs low (under 1 GiB or 5% free), else undefined. */
export function diskWarning(path: string, freeBytes: number, totalBytes: number): string | undefined {
  if (totalBytes <= 0) return undefined
  const low = freeBytes < LOW_DISK_BYTES || freeBytes / totalBytes < LOW_DISK_RATIO
  if (!low) return undefined
  return `only ${formatBytes(freeBytes)} (${((100 * freeBytes) / totalBytes).toFixed(1)}%) free on the filesystem of ${path}: remove unused apps (destroy), lower PIKU_KEEP_RELEASES, or grow the disk`
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}

// --- the edges

export function readDiskSpace(path: string): { free: number; total: number } | undefined {
  try {
    const s = statfsSync(path)
    return { free: s.bavail * s.bsize, total: s.blocks * s.bsize }
  } catch {
    // broad on purpose: a figure for a warning (doctor, the start of a deploy); any failure means "unknown", which both report
    return undefined
  }
}

/** Keep one old copy: when `file` is larger than `maxBytes`, it becomes `file.old` (replacing the previous). */
export function rotateLogFile(file: string, maxBytes: number): boolean {
  try {
    if (statSync(file).size <= maxBytes) return false
    renameSync(file, `${file}.old`)
    return true
  } catch {
    // broad on purpose: housekeeping at the start of a deploy; a log that cannot be rotated must not fail the deploy
    return false
  }
}

function linksOf(dir: string): string[] {
  const out: string[] = []
  for (const name of ['node_modules', '.venv']) {
    try {
      out.push(readlinkSync(join(dir, name)))
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'EINVAL')) throw e // none, or a real folder rather than a link
    }
  }
  return out
}

/** Remove the app's keyed dependency caches that none of `kept` uses. Returns the removed names. */
export function pruneDeps(app: string, kept: ReleasePlan[]): string[] {
  const dir = appPaths(app).deps
  if (!existsSync(dir)) return []
  const used = new Set<string>()
  for (const plan of kept) for (const u of depsUsedBy(plan, linksOf(plan.dir))) used.add(u)
  const removed = planDepsPrune(readdirSync(dir), used)
  for (const name of removed) rmSync(join(dir, name), { recursive: true, force: true })
  return removed
}

/** Keep the newest `keep` deploy logs of the app. Returns the removed file names. */
export function pruneDeployLogs(app: string, keep: number, onDisk: string[] = []): string[] {
  const dir = appPaths(app).deployLogs
  if (!existsSync(dir)) return []
  const removed = planDeployLogPrune(readdirSync(dir), keep, new Set(onDisk))
  for (const f of removed) rmSync(join(dir, f), { force: true })
  return removed
}
