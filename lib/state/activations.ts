// activations: the activation journal. Every activation (a release brought up with its own token, ports and
// vassal files) is recorded in apps/APP/activations/TOKEN.json, durably, before its first worker starts, and
// moves through `starting` -> `switched` (it serves) -> `retiring` (replaced; its workers drain) -> removed,
// or `starting` -> `abandoned` -> removed. One file per activation, so the deploy and the detached watcher
// that retires the previous workers never rewrite each other's records. Just before an activation's nginx
// file replaces the live one, its record says so (`switching`), so recovery knows which activation nginx
// serves from records alone, never from a rendered file. planRecovery (pure) decides, from the journal, the
// vassal files, active.json and the `current` link, what an interrupted deploy left behind and what must be
// rebuilt. removeActivation is the one way an activation goes.
import { existsSync, readdirSync, rmSync, unlinkSync } from 'node:fs'
import { activationDir, activationNginx, activationRecord, activationsDir, hostPaths, vassalFile, vassalPrefix, vassalToken } from './paths.js'
import { readRecordFile, writeRecordFile, isRecordObject, recordValue, type RecordCheck } from './record-file.js'
import { checkPlanFile, type PlanFileV1 } from './plan-file.js'
import { vassalFiles } from './vassals.js'
import type { Activation } from './release.js'
import { isErrno } from '../errors.js'

export type ActivationState = 'starting' | 'switched' | 'retiring' | 'abandoned'

export interface Owner {
  pid: number
  start?: number // clock ticks after boot, /proc/PID/stat field 22
  boot?: string
}

export interface ActivationRecord {
  app: string
  token: string
  release: string
  ports: Record<string, number[]>
  vassals: string[] // vassal file names in uwsgi/vassals
  state: ActivationState
  owner?: Owner // who moves it on: the deploy while starting, the watcher while retiring
  started: string
  switched?: string
  switching?: string // when its nginx file was about to replace the live one (the switch began)
  plan?: PlanFileV1 // a copy of the stored plan, so a damaged releases/vN.json of a live release can be restored
}

// --- the pure planner

/** What is known about one app, read from disk by the caller. */
export interface RecoveryInput {
  records: (ActivationRecord & { ownerAlive: boolean })[]
  damagedRecords: string[] // tokens whose record could not be read
  vassals: string[] // the app's vassal files
  runDirs: string[] // tokens with an apps/APP/run/TOKEN folder
  active: { state: 'ok'; value: Activation } | { state: 'missing' } | { state: 'damaged'; why: string }
  /** Activations whose switch began (`switching`, still `starting`) and whose nginx file left their
   *  activation folder: it was moved into place, so nginx serves them. */
  nginxPlaced: string[]
  current?: string // the release `current` points at
  stopped: boolean
  /** Ports read from the vassal files and launchers of a token with no record (older toolkits). */
  portsOf?: (token: string) => Record<string, number[]>
}

export interface Removal {
  token: string
  release?: string
  vassals: string[]
  why: string
}

export interface RecoveryPlan {
  live?: ActivationRecord // the activation that serves (after the repairs below)
  liveFrom?: 'active.json' | 'switch' | 'journal' | 'vassals'
  writeRecord?: ActivationRecord // the live record, when it must be written (state, or a record for a token with none)
  writeActive?: Activation // active.json rebuilt
  removeActive: boolean // active.json is damaged and nothing serves
  setCurrent?: string // the `current` link must point here
  reloadNginx: boolean // nginx's file names an activation nginx may not have loaded yet
  remove: Removal[]
  keep: { token: string; why: string }[] // in progress: a live deploy or a draining watcher
  notes: string[] // one line per repair, for the report
}

/** The release id at the front of a token (`v12-lx3k9a` -> `v12`). */
export function tokenRelease(token: string): string | undefined {
  return /^(v\d+)-/.exec(token)?.[1]
}

/** Newest first: tokens end in the activation time in base 36. */
function tokenTime(token: string): number {
  const t = token.slice(token.lastIndexOf('-') + 1)
  const n = parseInt(t, 36)
  return Number.isFinite(n) ? n : 0
}

/** What the planner knows of every token: its record and its vassal files. */
interface Tokens {
  byToken: Map<string, RecoveryInput['records'][number]>
  vassalsOf: Map<string, string[]>
}

export function planRecovery(app: string, input: RecoveryInput): RecoveryPlan {
  const byToken = new Map(input.records.map((r) => [r.token, r]))
  const vassalsOf = new Map<string, string[]>()
  for (const f of input.vassals) {
    const t = vassalToken(app, f)
    if (t) vassalsOf.set(t, [...(vassalsOf.get(t) ?? []), f])
  }
  const tokens: Tokens = { byToken, vassalsOf }
  const { liveToken, liveFrom } = input.stopped ? { liveToken: undefined, liveFrom: undefined } : findLive(input, tokens)
  const plan: RecoveryPlan = { liveFrom, removeActive: false, reloadNginx: false, remove: [], keep: [], notes: [] }
  if (liveToken) planLive(app, input, tokens, liveToken, plan)
  else if (input.active.state === 'damaged') {
    plan.removeActive = true
    plan.notes.push(`apps/${app}/active.json was unreadable (${input.active.why}) and no activation serves: removed`)
  }
  planRest(input, tokens, liveToken, plan)
  return plan
}

/** Which activation serves: one whose nginx file an interrupted switch moved into place first (nginx is what
 *  answers), then active.json, then the journal. */
function findLive(input: RecoveryInput, { byToken, vassalsOf }: Tokens): { liveToken?: string; liveFrom?: RecoveryPlan['liveFrom'] } {
  const exists = (t: string) => byToken.has(t) || vassalsOf.has(t)
  const fromActive = input.active.state === 'ok' ? input.active.value.token : undefined
  const placed = input.nginxPlaced.filter(exists).sort((a, b) => tokenTime(b) - tokenTime(a))[0]
  if (placed) return { liveToken: placed, liveFrom: 'switch' }
  if (fromActive && (exists(fromActive) || input.vassals.length === 0)) return { liveToken: fromActive, liveFrom: 'active.json' }
  const switched = input.records.filter((r) => r.state === 'switched' && vassalsOf.has(r.token)).sort((a, b) => tokenTime(b.token) - tokenTime(a.token))
  if (switched[0]) return { liveToken: switched[0].token, liveFrom: 'journal' }
  const unrecorded = [...vassalsOf.keys()].filter((t) => !byToken.has(t) && tokenRelease(t) === input.current).sort((a, b) => tokenTime(b) - tokenTime(a))
  if (unrecorded[0] && input.active.state !== 'ok') return { liveToken: unrecorded[0], liveFrom: 'vassals' }
  return {}
}

/** The live activation's records brought in line: its journal record, active.json, the `current` link. */
function planLive(app: string, input: RecoveryInput, { byToken, vassalsOf }: Tokens, liveToken: string, plan: RecoveryPlan): void {
  const { notes, liveFrom } = plan
  const rec = byToken.get(liveToken)
  const fromActive = input.active.state === 'ok' && input.active.value.token === liveToken ? input.active.value : undefined
  const release = rec?.release ?? fromActive?.release ?? tokenRelease(liveToken) ?? input.current ?? ''
  const live: ActivationRecord = rec
    ? { ...rec }
    : {
        app,
        token: liveToken,
        release,
        ports: fromActive?.ports ?? input.portsOf?.(liveToken) ?? {},
        vassals: vassalsOf.get(liveToken) ?? [],
        state: 'switched',
        started: fromActive?.started ?? new Date(tokenTime(liveToken) || Date.now()).toISOString(),
      }
  delete (live as Partial<ActivationRecord & { ownerAlive: boolean }>).ownerAlive
  if (!rec) {
    plan.writeRecord = { ...live, state: 'switched' }
    notes.push(`journal: recorded the live activation ${liveToken} (it had no record)`)
  } else if (rec.state !== 'switched') {
    plan.writeRecord = { ...live, state: 'switched', owner: undefined, switched: live.switched ?? new Date().toISOString() }
    delete plan.writeRecord.owner
    notes.push(
      rec.state === 'starting'
        ? `completed the switch to ${liveToken} (${release}): it serves, and the deploy that started it was interrupted`
        : `${liveToken} (${release}) serves again: the deploy that was replacing it was interrupted`,
    )
  }
  plan.live = plan.writeRecord ?? live
  if (!fromActive) {
    plan.writeActive = { release, token: liveToken, ports: live.ports, started: live.started }
    const was = input.active.state === 'ok' ? `named ${input.active.value.token}` : input.active.state === 'damaged' ? `was unreadable (${input.active.why})` : 'was missing'
    const from = liveFrom === 'switch' ? `the journal record of the interrupted switch` : liveFrom === 'journal' ? 'the activation journal' : liveFrom === 'vassals' ? 'the vassal files' : 'active.json'
    notes.push(`apps/${app}/active.json ${was}: rebuilt from ${from} (${liveToken})`)
    if (liveFrom === 'switch' && input.active.state === 'ok') plan.reloadNginx = true
  }
  if (input.current !== release && release) {
    plan.setCurrent = release
    notes.push(`apps/${app}/current ${input.current ? `pointed at ${input.current}` : 'was missing'}: now ${release}, the release that serves`)
  }
}

/** Every other activation: kept while its owner works on it, removed otherwise. */
function planRest(input: RecoveryInput, { byToken, vassalsOf }: Tokens, liveToken: string | undefined, plan: RecoveryPlan): void {
  const tokens = new Set([...byToken.keys(), ...vassalsOf.keys(), ...input.damagedRecords, ...input.runDirs])
  for (const token of tokens) {
    if (token === liveToken) continue
    const rec = byToken.get(token)
    if (rec && rec.ownerAlive && rec.state === 'starting') {
      plan.keep.push({ token, why: `a deploy (pid ${rec.owner?.pid}) is bringing it up` })
      continue
    }
    if (rec && rec.ownerAlive && rec.state === 'retiring') {
      plan.keep.push({ token, why: `its workers drain (pid ${rec.owner?.pid} stops them)` })
      continue
    }
    const vassals = vassalsOf.get(token) ?? []
    const why = input.damagedRecords.includes(token)
      ? 'its journal record was unreadable'
      : !rec
        ? vassals.length
          ? 'it has no journal record (left by an interrupted deploy or an older toolkit)'
          : 'left-over launcher folder'
        : rec.state === 'starting'
          ? 'it never switched: the deploy that started it was interrupted'
          : rec.state === 'abandoned'
            ? 'it was abandoned (its health check failed) and not yet removed'
            : input.stopped
              ? 'the app is stopped'
              : 'it was replaced, and removing its workers was interrupted'
    plan.remove.push({ token, release: rec?.release ?? tokenRelease(token), vassals, why })
  }
  for (const r of plan.remove) {
    if (r.vassals.length || byToken.has(r.token) || input.damagedRecords.includes(r.token)) {
      plan.notes.push(`removed activation ${r.token}${r.vassals.length ? ` and its ${r.vassals.length} worker(s)` : ''}: ${r.why}`)
    }
  }
}

// --- the edges

/** What makes a journal record valid: its own token, a release and ports. Its plan copy is checked as a
 *  stored plan (an older one migrated); a copy that is not one is dropped, the record kept. */
function checkRecord(token: string): (v: unknown) => RecordCheck<ActivationRecord> {
  return (v) => {
    if (!isRecordObject(v) || v.token !== token) return { why: 'not an activation record' }
    const r = v as unknown as ActivationRecord
    if (r.plan !== undefined) {
      const plan = checkPlanFile(r.plan)
      if ('why' in plan) delete r.plan
      else r.plan = plan.value
    }
    return { value: r }
  }
}

/** One journal record, or undefined when it is missing or damaged (readJournal tells those apart). */
export function readRecord(app: string, token: string): ActivationRecord | undefined {
  return recordValue(readRecordFile(activationRecord(app, token), checkRecord(token)))
}

/** Every record of the app, and the tokens whose record could not be read. */
export function readJournal(app: string): { records: ActivationRecord[]; damaged: string[] } {
  const dir = activationsDir(app)
  if (!existsSync(dir)) return { records: [], damaged: [] }
  const records: ActivationRecord[] = []
  const damaged: string[] = []
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json') || f.startsWith('.')) continue
    const token = f.slice(0, -'.json'.length)
    const r = readRecord(app, token)
    if (r) records.push(r)
    else damaged.push(token)
  }
  return { records, damaged }
}

/** Write a record durably (temp file, fsync, rename, fsync of the folder). */
export function writeRecord(r: ActivationRecord): void {
  writeRecordFile(activationRecord(r.app, r.token), r)
}

/** Move a record to a new state (a missing record stays missing). */
export function markRecord(app: string, token: string, state: ActivationState, extra: Partial<ActivationRecord> = {}): void {
  const r = readRecord(app, token)
  if (!r) return
  const next: ActivationRecord = { ...r, ...extra, state }
  if (!('owner' in extra) && state === 'switched') delete next.owner
  writeRecord(next)
}

export function removeRecord(app: string, token: string): void {
  rmSync(activationRecord(app, token), { force: true })
}

/** Remove one activation, the only way one goes: its vassal files first (the emperor stops its workers),
 *  then its activation folder (launchers, env files, nginx file), then its journal record, so an interruption
 *  leaves it findable. The other activations are left alone. Returns how many vassal files went. */
export function removeActivation(app: string, token: string): number {
  let n = 0
  for (const f of vassalFiles(app)) {
    if (!f.startsWith(vassalPrefix(app, token))) continue
    try {
      unlinkSync(vassalFile(f))
      n++
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e // gone already
    }
  }
  rmSync(activationDir(app, token), { recursive: true, force: true })
  removeRecord(app, token)
  return n
}

/** Tokens whose switch began (`switching`, not yet `switched`) and whose nginx file was moved into place:
 *  their activation folder no longer holds it. */
export function readNginxPlaced(app: string, records: ActivationRecord[]): string[] {
  return records.filter((r) => r.state === 'starting' && r.switching && !existsSync(activationNginx(app, r.token))).map((r) => r.token)
}

/** Ports of every recorded activation of every app (starting ones included), so no two get the same port. */
export function journalPorts(): number[] {
  const apps = hostPaths().apps
  const out: number[] = []
  if (!existsSync(apps)) return out
  for (const app of readdirSync(apps)) {
    try {
      for (const r of readJournal(app).records) for (const ports of Object.values(r.ports)) out.push(...ports)
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // not an app folder, or gone meanwhile
    }
  }
  return out
}

/** The live record of an app, from the journal alone (for a reader whose active.json is unreadable). */
export function liveFromJournal(app: string, current: string | undefined): ActivationRecord | undefined {
  return readJournal(app)
    .records.filter((r) => r.state === 'switched' && (!current || r.release === current))
    .sort((a, b) => tokenTime(b.token) - tokenTime(a.token))[0]
}
