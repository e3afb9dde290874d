// recover: find what an interrupted deploy (a killed hook, a crash, a power cut) left behind and put the app
// back in order: activations that never switched lose their vassals and workers, the live activation's
// records (active.json, the `current` link, the journal) are rebuilt from what is on disk, damaged state
// files (state.json, SCALING, the live release's plan) are rebuilt, and releases no finished deploy made are
// removed. Run by every activation (deploy, restart, rollback, config changes), by doctor and by piku-boot,
// always holding the app's lock. Every repair is one line in the report.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { activationFile, activationsDir, activationsRunRoot, appPaths, hostPaths, launcherName, parseVassalName, releaseDir, vassalFile, vassalPrefix, innerVassalName } from '../state/paths.js'
import { planRecovery, readJournal, readNginxPlaced, writeRecord, removeActivation, type RecoveryInput, type RecoveryPlan, type ActivationRecord } from '../state/activations.js'
import { ownerAlive } from '../state/lock.js'
import { currentRelease, readActiveRecord, readHistory, readPlanRecord, appendHistory, removeRelease, switchCurrent, writeActive, writePlan, type ReleasePlan } from '../state/release.js'
import { readAppState, readAppStateRecord, replaceAppState } from '../state/app-state.js'
import { planFromFile } from '../state/plan-file.js'
import { recordValue } from '../state/record-file.js'
import { vassalFiles } from '../state/vassals.js'
import { writeFileAtomic, removeDeadTemps } from '../host/atomic-file.js'
import { DRAIN_MS } from './after-switch.js'
import { isErrno } from '../errors.js'

export interface RecoveryReport {
  app: string
  notes: string[] // what was repaired or removed, one line each
  plan: RecoveryPlan
}

/** Ports of a token without a record, read from its vassal files (wsgi) and launchers (web). */
function portsFromDisk(app: string, token: string, files: string[]): Record<string, number[]> {
  const ports: Record<string, number[]> = {}
  for (const f of files) {
    const v = parseVassalName(f)
    if (!v) continue
    let port: number | undefined
    try {
      let ini = readFileSync(vassalFile(f), 'utf8')
      // a sandboxed instance's file only enters its sandbox: its real vassal is KIND.N.ini in the activation
      if (/^privileged-binary-patch-arg = /m.test(ini)) ini = readFileSync(activationFile(app, token, innerVassalName(v.kind, v.n)), 'utf8')
      port = Number(/^http-socket = 127\.0\.0\.1:(\d+)$/m.exec(ini)?.[1] ?? NaN)
      if (!Number.isFinite(port)) {
        const sh = readFileSync(activationFile(app, token, launcherName(v.kind, v.n)), 'utf8')
        port = Number(/^export PORT='(\d+)'$/m.exec(sh)?.[1] ?? NaN)
      }
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // a file of a half-made activation is missing: no port from it
    }
    if (port && Number.isFinite(port)) (ports[v.kind] ??= []).push(port)
  }
  return ports
}

export function gatherRecoveryInput(app: string): RecoveryInput {
  // vassal files first, then the journal: a deploy writes its record before its first vassal file, so a
  // vassal seen here always has its record on disk by the time the journal is read
  const vassals = vassalFiles(app)
  const journal = readJournal(app)
  const runRoot = activationsRunRoot(app)
  return {
    records: journal.records.map((r) => ({ ...r, ownerAlive: ownerAlive(r.owner) })),
    damagedRecords: journal.damaged,
    vassals,
    runDirs: existsSync(runRoot) ? readdirSync(runRoot) : [],
    active: readActiveRecord(app),
    nginxPlaced: readNginxPlaced(app, journal.records),
    current: currentRelease(app),
    stopped: readAppState(app).stopped === true,
    portsOf: (token) => portsFromDisk(app, token, vassals.filter((f) => f.startsWith(vassalPrefix(app, token)))),
  }
}

/** state.json: unreadable -> rebuilt (stopped when nothing of the app runs). */
function repairAppState(app: string, plan: RecoveryPlan, notes: string[]): void {
  if (readAppStateRecord(app).state !== 'damaged') return
  const stopped = !plan.live && currentRelease(app) !== undefined
  replaceAppState(app, stopped ? { stopped: true } : {})
  notes.push(`config/${app}/state.json was unreadable: rebuilt (${stopped ? 'stopped: nothing of the app runs' : 'running'})`)
}

/** SCALING: empty or unparsable -> rebuilt from the counts the live release runs with. */
async function repairScaling(app: string, live: ReleasePlan | undefined, notes: string[]): Promise<void> {
  const f = appPaths(app).scaling
  if (!existsSync(f)) return
  const { parseScaling, renderScaling } = await import('../parse/scaling.js')
  const text = readFileSync(f, 'utf8')
  const parsed = parseScaling(text, `config/${app}/SCALING`)
  if (parsed.ok && text.trim()) return
  const why = text.trim() ? (parsed.ok ? '' : parsed.errors[0]) : 'empty'
  if (live) {
    writeFileAtomic(f, renderScaling(Object.fromEntries(live.processes.map((p) => [p.kind, p.count]))), 0o600)
    notes.push(`config/${app}/SCALING was unreadable (${why}): rebuilt from ${live.id}'s counts`)
  } else {
    rmSync(f, { force: true })
    notes.push(`config/${app}/SCALING was unreadable (${why}) and no release runs: removed (every kind runs 1 copy)`)
  }
}

/** The live release's plan: damaged or missing -> restored from the copy in its journal record. */
function repairPlan(app: string, live: ActivationRecord | undefined, notes: string[]): ReleasePlan | undefined {
  if (!live) return undefined
  const r = readPlanRecord(app, live.release)
  if (r.state === 'ok') return r.value
  const why = r.state === 'missing' ? 'missing' : r.why
  if (live.plan && existsSync(releaseDir(app, live.release))) {
    const plan = planFromFile(live.plan)
    writePlan(plan)
    notes.push(`apps/${app}/releases/${live.release}.json was ${why}: restored from the activation journal`)
    return plan
  }
  notes.push(`apps/${app}/releases/${live.release}.json is ${why} and the journal has no copy: push again to rebuild it`)
  return undefined
}

/** A live release that the history does not know: its deploy was killed after the switch. */
function recordInterruptedSwitch(app: string, live: ActivationRecord, notes: string[]): void {
  const history = readHistory(app)
  if (history.some((e) => e.id === live.release)) return
  const sha = recordValue(readPlanRecord(app, live.release))?.sha ?? live.plan?.sha ?? ''
  appendHistory(app, { id: live.release, sha, time: new Date().toISOString(), key: 'recovery', reason: 'interrupted', outcome: 'live', message: 'its deploy was interrupted after the switch; the branch may not have moved' })
  notes.push(`history: ${live.release} serves, but the deploy that made it was interrupted after the switch (the branch may still name the previous commit: push again)`)
}

/** Releases that no deploy finished (no history entry) and that nothing runs: left by a killed deploy. */
function removeUnfinishedReleases(app: string, keepIds: Set<string>, notes: string[]): void {
  const rel = appPaths(app).releases
  if (!existsSync(rel)) return
  const history = readHistory(app)
  const known = new Set(history.map((e) => e.id))
  const current = currentRelease(app)
  const num = (id: string) => Number(id.slice(1))
  const newest = Math.max(0, ...history.map((e) => (/^v\d+$/.test(e.id) ? num(e.id) : 0)))
  // a deploy that was killed made the newest id; an older id missing from the history (a damaged or lost
  // history file) is not proof of anything, so it stays
  if (!history.length && current) return
  const ids = new Set<string>()
  for (const f of readdirSync(rel)) {
    const m = /^(v\d+)(\.json)?$/.exec(f)
    if (m) ids.add(m[1])
  }
  for (const id of ids) {
    if (known.has(id) || id === current || keepIds.has(id) || num(id) <= newest) continue
    const sha = recordValue(readPlanRecord(app, id))?.sha ?? ''
    removeRelease(app, id)
    appendHistory(app, { id, sha, time: new Date().toISOString(), key: 'recovery', reason: 'interrupted', outcome: 'failed', message: 'the deploy was interrupted before it finished; its files were removed' })
    notes.push(`removed release ${id}: the deploy that made it was interrupted`)
  }
}

/**
 * Put the app in order. The caller holds the app's lock. `inProgress` is the release an activation is about
 * to bring up (its folder is not left over). Returns one note per repair.
 */
export async function recoverApp(app: string, opts: { inProgress?: string; reloadNginx?: () => Promise<void> } = {}): Promise<RecoveryReport> {
  // a writer killed between its write and its rename leaves a temp file: nothing reads it, so it goes
  const p = appPaths(app)
  const temps = [activationsDir(app), p.home, p.config].flatMap((d) => removeDeadTemps(d).map((n) => join(d, n)))
  const input = gatherRecoveryInput(app)
  const plan = planRecovery(app, input)
  const notes = [...plan.notes, ...(temps.length ? [`removed ${temps.length} half-written file(s) of a killed writer: ${temps.map((f) => f.slice(hostPaths().root.length + 1)).join(', ')}`] : [])]
  if (plan.writeRecord) writeRecord(plan.writeRecord)
  if (plan.writeActive) writeActive(app, plan.writeActive)
  if (plan.setCurrent && existsSync(releaseDir(app, plan.setCurrent))) switchCurrent(app, plan.setCurrent)
  if (plan.reloadNginx) {
    const reload = opts.reloadNginx ?? (async () => (await import('../host/system.js')).reloadNginx())
    await reload().catch((e: Error) => notes.push(`nginx reload failed: ${e.message}`))
    await new Promise((r) => setTimeout(r, DRAIN_MS)) // requests nginx's old workers still pass to the replaced activation
  }
  if (plan.live) recordInterruptedSwitch(app, plan.live, notes)
  for (const r of plan.remove) removeActivation(app, r.token)
  if (plan.removeActive) writeActive(app, undefined)
  const livePlan = repairPlan(app, plan.live, notes)
  repairAppState(app, plan, notes)
  await repairScaling(app, livePlan, notes)
  const keepIds = new Set([...(opts.inProgress ? [opts.inProgress] : []), ...(plan.live ? [plan.live.release] : [])])
  for (const k of plan.keep) {
    const r = input.records.find((x) => x.token === k.token)
    if (r) keepIds.add(r.release)
  }
  removeUnfinishedReleases(app, keepIds, notes)
  return { app, notes, plan }
}

/**
 * piku-boot's pass: every app on disk put in order, each under its lock; an app whose lock is held (a deploy
 * runs) is left alone. `lines`: one per repair or skipped app; `errors`: one per app whose recovery threw.
 */
export async function recoverAllApps(): Promise<{ lines: string[]; errors: string[] }> {
  const { tryLock, releaseLock } = await import('../state/lock.js')
  const { appsOnDisk } = await import('../state/apps.js')
  const lines: string[] = []
  const errors: string[] = []
  for (const app of appsOnDisk()) {
    const lock = appPaths(app).lock
    if (!tryLock(lock, process.pid, 'recovery at boot')) {
      lines.push(`${app}: a deploy holds its lock; not checked`)
      continue
    }
    try {
      for (const n of (await recoverApp(app)).notes) lines.push(`${app}: ${n}`)
    } catch (e) {
      errors.push(`${app}: recovery failed: ${(e as Error).message}`)
    } finally {
      releaseLock(lock, process.pid)
    }
  }
  return { lines, errors }
}
