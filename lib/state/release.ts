// release: what a release is on disk (its plan, the active one, the history) and how ids are chosen.
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs'
import { join, basename } from 'node:path'
import type { VassalRole, VassalSettings } from '../render/uwsgi.js'
import type { StaticMapping } from '../render/nginx.js'
import type { NginxSettings } from '../parse/nginx-settings.js'
import type { HealthRule } from '../parse/health.js'
import type { MemoryCap } from '../parse/memory.js'
import { appPaths } from './paths.js'
import { writeFileAtomic, swapSymlink, appendDurable } from '../host/atomic-file.js'
import { readJournal, liveFromJournal } from './activations.js'
import * as log from '../log.js'

export interface ProcessPlan {
  kind: string
  role: VassalRole
  command: string
  count: number
  cron?: string[] // uwsgi schedule prefixes
}

export interface ReleasePlan {
  app: string
  id: string
  sha: string
  subject: string
  created: string
  key: string
  reason: string
  dir: string
  env: Record<string, string>
  processes: ProcessPlan[]
  serverNames: string[]
  statics: StaticMapping[]
  catchAll?: string
  allowGitFolders: boolean
  nginx?: NginxSettings // HTTPS-only, cache, include file, Cloudflare ACL, IPv6 (absent in older plans)
  settings: VassalSettings
  health: HealthRule
  autoRestart?: boolean // PIKU_AUTO_RESTART (absent in older plans: true)
  sitePackages?: string
  jvmClasspath?: string[] // a JVM build's jars (or class folder), for a jwsgi worker
  depsDir?: string // the keyed dependency cache (deps/APP/KIND-HASH) this release runs with
  keep: number
  memory?: Record<string, MemoryCap> // kind -> memory cap (absent in older plans and when none is set)
}

export interface Activation {
  release: string
  token: string
  ports: Record<string, number[]>
  started: string
}

export interface HistoryEntry {
  id: string
  sha: string
  time: string
  key: string
  reason: string
  outcome: 'live' | 'failed' | 'rolled-back' | 'staged'
  message?: string
}

const ID = /^v(\d+)$/

export function planFile(app: string, id: string): string {
  return join(appPaths(app).releases, `${id}.json`)
}

export function activeFile(app: string): string {
  return join(appPaths(app).home, 'active.json')
}

/** apps/APP/staged: the id of a release built and checked but not switched to (PIKU_AUTO_RESTART=0). */
export function stagedFile(app: string): string {
  return join(appPaths(app).home, 'staged')
}

export function readStaged(app: string): string | undefined {
  try {
    const id = readFileSync(stagedFile(app), 'utf8').trim()
    return ID.test(id) ? id : undefined
  } catch {
    return undefined
  }
}

export function writeStaged(app: string, id: string | undefined): void {
  if (id === undefined) rmSync(stagedFile(app), { force: true })
  else writeFileAtomic(stagedFile(app), id + '\n', 0o600)
}

export function historyFile(app: string): string {
  return join(appPaths(app).home, 'history.jsonl')
}

export function readHistory(app: string): HistoryEntry[] {
  const f = historyFile(app)
  if (!existsSync(f)) return []
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as HistoryEntry]
      } catch {
        return []
      }
    })
}

export function appendHistory(app: string, e: HistoryEntry): void {
  appendDurable(historyFile(app), JSON.stringify(e) + '\n', 0o600)
}

/** The next release id: one more than any id the app ever had (failed attempts included). */
export function nextReleaseId(app: string): string {
  let max = 0
  for (const e of readHistory(app)) {
    const m = ID.exec(e.id)
    if (m) max = Math.max(max, Number(m[1]))
  }
  const rel = appPaths(app).releases
  if (existsSync(rel)) {
    for (const f of readdirSync(rel)) {
      const m = /^v(\d+)/.exec(f)
      if (m) max = Math.max(max, Number(m[1]))
    }
  }
  return `v${max + 1}`
}

export function writePlan(plan: ReleasePlan): void {
  writeFileAtomic(planFile(plan.app, plan.id), JSON.stringify(plan, null, 2) + '\n', 0o600)
}

function warnOnce(text: string): void {
  if (warned.has(text)) return
  warned.add(text)
  log.warn(text)
}
const warned = new Set<string>()

/** A JSON record file: its value when `valid`, undefined when the file is missing, else what `fallback` gives
 *  for a file that is 'damaged' or 'empty' (a copy from the activation journal). */
function readRecordFile<T>(f: string, valid: (v: T) => boolean, fallback: (state: 'damaged' | 'empty') => T | undefined): T | undefined {
  let text: string
  try {
    text = readFileSync(f, 'utf8')
  } catch {
    return undefined
  }
  try {
    const v = JSON.parse(text) as T
    if (v && typeof v === 'object' && valid(v)) return v
  } catch {}
  return fallback(text.trim() ? 'damaged' : 'empty')
}

/** A release's plan. A damaged plan file is reported with its path and read from the copy the activation
 *  journal keeps (the next deploy, restart or doctor writes it back); undefined when there is none. */
export function readPlan(app: string, id: string): ReleasePlan | undefined {
  const f = planFile(app, id)
  return readRecordFile<ReleasePlan>(f, (v) => Array.isArray(v.processes), (state) => {
    const copy = readJournal(app).records.find((r) => r.release === id && r.plan)?.plan
    warnOnce(`${f} is ${state}: ${copy ? 'using the copy in the activation journal' : 'no copy in the activation journal; push again to rebuild it'}`)
    return copy
  })
}

/** The live activation. A damaged active.json is reported with its path and read from the activation
 *  journal instead (the next deploy, restart or doctor rewrites it); it is never taken for "not running". */
export function readActive(app: string): Activation | undefined {
  const f = activeFile(app)
  return readRecordFile<Activation>(f, (v) => typeof v.token === 'string' && Boolean(v.ports), (state) => {
    const live = liveFromJournal(app, currentRelease(app))
    warnOnce(`${f} is ${state}: ${live ? `using the activation journal (${live.token})` : 'the activation journal has no live record'}`)
    return live ? { release: live.release, token: live.token, ports: live.ports, started: live.started } : undefined
  })
}

export function writeActive(app: string, a: Activation | undefined): void {
  if (!a) rmSync(activeFile(app), { force: true })
  else writeFileAtomic(activeFile(app), JSON.stringify(a, null, 2) + '\n', 0o600)
}

/** The live release id, from the `current` link. */
export function currentRelease(app: string): string | undefined {
  try {
    return basename(readlinkSync(appPaths(app).current))
  } catch {
    return undefined
  }
}

/** Point `current` at a release with one rename. */
export function switchCurrent(app: string, id: string): void {
  swapSymlink(appPaths(app).current, join('releases', id))
}

/** Releases that still have their folder and plan, newest first. */
export function listReleases(app: string): string[] {
  const rel = appPaths(app).releases
  if (!existsSync(rel)) return []
  return readdirSync(rel)
    .filter((f) => ID.test(f) && existsSync(join(rel, `${f}.json`)) && statSync(join(rel, f)).isDirectory())
    .sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)))
}

/** Remove a release's folder and plan. */
export function removeRelease(app: string, id: string): void {
  const rel = appPaths(app).releases
  rmSync(join(rel, id), { recursive: true, force: true })
  rmSync(join(rel, `${id}.json`), { force: true })
}

/** Keep the newest `keep` releases and the live one; remove the rest. Returns the removed ids. */
export function pruneReleases(app: string, keep: number): string[] {
  const live = currentRelease(app)
  const removed: string[] = []
  const all = listReleases(app)
  for (const id of all.slice(keep)) {
    if (id === live) continue
    removeRelease(app, id)
    removed.push(id)
  }
  // folders of failed attempts (no plan) are removed too
  const rel = appPaths(app).releases
  for (const f of existsSync(rel) ? readdirSync(rel) : []) {
    if (ID.test(f) && !existsSync(join(rel, `${f}.json`)) && f !== live) rmSync(join(rel, f), { recursive: true, force: true })
  }
  return removed
}

