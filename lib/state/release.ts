// release: what a release is on disk and how ids are chosen: the one reader, writer and validator of its plan
// (stored as plan-file.ts's versioned type), of active.json (the live activation), of `staged`, of the
// history and of the `current` link.
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs'
import { basename, relative } from 'node:path'
import type { VassalRole, VassalSettings } from '../render/uwsgi.js'
import type { StaticMapping } from '../render/nginx.js'
import type { NginxSettings } from '../parse/nginx-settings.js'
import type { HealthRule } from '../parse/health.js'
import type { MemoryCap } from '../parse/memory.js'
import { appPaths, releaseDir, releasePlanPath } from './paths.js'
import { readRecordFile, writeRecordFile, recordValue, isRecordObject, type RecordRead, type RecordCheck } from './record-file.js'
import { checkPlanFile, planFromFile, planToFile } from './plan-file.js'
import { writeFileAtomic, swapSymlink, appendDurable } from '../host/atomic-file.js'
import { readJournal, liveFromJournal } from './activations.js'
import * as log from '../log.js'
import { isErrno } from '../errors.js'

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

export function readStaged(app: string): string | undefined {
  try {
    const id = readFileSync(appPaths(app).staged, 'utf8').trim()
    return ID.test(id) ? id : undefined
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // nothing staged
    return undefined
  }
}

export function writeStaged(app: string, id: string | undefined): void {
  const f = appPaths(app).staged
  if (id === undefined) rmSync(f, { force: true })
  else writeFileAtomic(f, id + '\n', 0o600)
}

/** What makes a history line valid: an object with a release id and an outcome. */
function checkHistoryEntry(v: unknown): v is HistoryEntry {
  return isRecordObject(v) && typeof v.id === 'string' && typeof v.outcome === 'string'
}

/** Every readable line of the history, oldest first (a damaged line is skipped). */
export function readHistory(app: string): HistoryEntry[] {
  const f = appPaths(app).history
  if (!existsSync(f)) return []
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        const v: unknown = JSON.parse(l)
        return checkHistoryEntry(v) ? [v] : []
      } catch {
        // pure parsing: JSON.parse fails only with a SyntaxError (a torn line is skipped)
        return []
      }
    })
}

export function appendHistory(app: string, e: HistoryEntry): void {
  appendDurable(appPaths(app).history, JSON.stringify(e) + '\n', 0o600)
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

/** Store a release's plan (as the versioned stored type, plan-file.ts). */
export function writePlan(plan: ReleasePlan): void {
  writeRecordFile(releasePlanPath(plan.app, plan.id), planToFile(plan))
}

function warnOnce(text: string): void {
  if (warned.has(text)) return
  warned.add(text)
  log.warn(text)
}
const warned = new Set<string>()

/** How a reader names a record it could not use: `PATH is empty`, `PATH is damaged (not valid JSON)`. */
function describeDamage(path: string, why: string): string {
  return why === 'empty' ? `${path} is empty` : `${path} is damaged (${why})`
}

/** A release's plan as stored, checked (an unversioned one migrated, an unknown version refused), with no
 *  fallback: for recovery, which repairs it. */
export function readPlanRecord(app: string, id: string): RecordRead<ReleasePlan> {
  const r = readRecordFile(releasePlanPath(app, id), checkPlanFile)
  return r.state === 'ok' ? { state: 'ok', value: planFromFile(r.value) } : r
}

/** A release's plan. A damaged plan file is reported with its path and read from the copy the activation
 *  journal keeps (the next deploy, restart or doctor writes it back); undefined when there is none. */
export function readPlan(app: string, id: string): ReleasePlan | undefined {
  const r = readPlanRecord(app, id)
  if (r.state !== 'damaged') return recordValue(r)
  const copy = readJournal(app).records.find((x) => x.release === id && x.plan)?.plan
  warnOnce(`${describeDamage(releasePlanPath(app, id), r.why)}: ${copy ? 'using the copy in the activation journal' : 'no copy in the activation journal; push again to rebuild it'}`)
  return copy ? planFromFile(copy) : undefined
}

/** What makes active.json valid: a token, a release and the ports of the activation that serves. */
function checkActivation(v: unknown): RecordCheck<Activation> {
  if (isRecordObject(v) && typeof v.token === 'string' && typeof v.release === 'string' && isRecordObject(v.ports)) return { value: v as unknown as Activation }
  return { why: 'not an activation record' }
}

/** active.json as it is on disk, checked, with no fallback: for recovery, which rebuilds it, and for the
 *  port census of every app. The one reader of the file. */
export function readActiveRecord(app: string): RecordRead<Activation> {
  return readRecordFile(appPaths(app).active, checkActivation)
}

/** The live activation. A damaged active.json is reported with its path and read from the activation
 *  journal instead (the next deploy, restart or doctor rewrites it); it is never taken for "not running". */
export function readActive(app: string): Activation | undefined {
  const r = readActiveRecord(app)
  if (r.state !== 'damaged') return recordValue(r)
  const live = liveFromJournal(app, currentRelease(app))
  warnOnce(`${describeDamage(appPaths(app).active, r.why)}: ${live ? `using the activation journal (${live.token})` : 'the activation journal has no live record'}`)
  return live ? { release: live.release, token: live.token, ports: live.ports, started: live.started } : undefined
}

export function writeActive(app: string, a: Activation | undefined): void {
  if (!a) rmSync(appPaths(app).active, { force: true })
  else writeRecordFile(appPaths(app).active, a)
}

/** The live release id, from the `current` link. */
export function currentRelease(app: string): string | undefined {
  try {
    return basename(readlinkSync(appPaths(app).current))
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'EINVAL')) throw e // no `current`, or not a link (EINVAL)
    return undefined
  }
}

/** Point `current` at a release with one rename (a relative link: `releases/vN`). */
export function switchCurrent(app: string, id: string): void {
  swapSymlink(appPaths(app).current, relative(appPaths(app).home, releaseDir(app, id)))
}

/** Releases that still have their folder and plan, newest first. */
export function listReleases(app: string): string[] {
  const rel = appPaths(app).releases
  if (!existsSync(rel)) return []
  return readdirSync(rel)
    .filter((f) => ID.test(f) && existsSync(releasePlanPath(app, f)) && statSync(releaseDir(app, f)).isDirectory())
    .sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)))
}

/** Remove a release's folder and plan. */
export function removeRelease(app: string, id: string): void {
  rmSync(releaseDir(app, id), { recursive: true, force: true })
  rmSync(releasePlanPath(app, id), { force: true })
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
    if (ID.test(f) && !existsSync(releasePlanPath(app, f)) && f !== live) rmSync(releaseDir(app, f), { recursive: true, force: true })
  }
  return removed
}

