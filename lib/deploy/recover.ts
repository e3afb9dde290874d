// recover: find what an interrupted deploy (a killed hook, a crash, a power cut) left behind and put the app
// back in order: activations that never switched lose their vassals and workers, the live activation's
// records (active.json, the `current` link, the journal) are rebuilt from what is on disk, damaged state
// files (state.json, SCALING, the live release's plan) are rebuilt, and releases no finished deploy made are
// removed. Run by every activation (deploy, restart, rollback, config changes), by doctor and by piku-boot,
// always holding the app's lock. Every repair is one line in the report.
import { existsSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { activationDir, activationsDir, activationsRunRoot, appPaths, hostPaths, vassalPrefix } from '../state/paths.js'
import { planRecovery, readJournal, writeRecord, removeRecord, type RecoveryInput, type RecoveryPlan, type ActivationRecord } from '../state/activations.js'
import { ownerAlive } from '../state/lock.js'
import { activeFile, currentRelease, planFile, readHistory, appendHistory, removeRelease, switchCurrent, writeActive, writePlan, type Activation, type ReleasePlan } from '../state/release.js'
import { vassalFiles } from '../state/vassals.js'
import { writeFileAtomic, removeDeadTemps } from '../host/atomic-file.js'
import { DRAIN_MS } from './after-switch.js'

export interface RecoveryReport {
  app: string
  notes: string[] // what was repaired or removed, one line each
  plan: RecoveryPlan
}

/** The token the app's live nginx file answers on /.well-known/piku-hooks-release. */
export function parseNginxToken(text: string): string | undefined {
  return /location = \/\.well-known\/piku-hooks-release \{[^}]*?return 200 "([^"\\]+)\\n";/.exec(text)?.[1]
}

function readActiveState(app: string): RecoveryInput['active'] {
  const f = activeFile(app)
  if (!existsSync(f)) return { state: 'missing' }
  let text: string
  try {
    text = readFileSync(f, 'utf8')
  } catch (e) {
    return { state: 'damaged', why: (e as NodeJS.ErrnoException).code ?? 'unreadable' }
  }
  if (!text.trim()) return { state: 'damaged', why: 'empty' }
  try {
    const v = JSON.parse(text) as Activation
    if (v && typeof v === 'object' && typeof v.token === 'string' && typeof v.release === 'string' && v.ports && typeof v.ports === 'object') return { state: 'ok', value: v }
    return { state: 'damaged', why: 'not an activation record' }
  } catch {
    return { state: 'damaged', why: 'not valid JSON' }
  }
}

/** Ports of a token without a record, read from its vassal files (wsgi) and launchers (web). */
function portsFromDisk(app: string, token: string, files: string[]): Record<string, number[]> {
  const ports: Record<string, number[]> = {}
  const dir = hostPaths().vassals
  for (const f of files) {
    const m = /@([A-Za-z][A-Za-z0-9_-]*)\.(\d+)\.ini$/.exec(f)
    if (!m) continue
    let port: number | undefined
    try {
      const ini = readFileSync(join(dir, f), 'utf8')
      port = Number(/^http-socket = 127\.0\.0\.1:(\d+)$/m.exec(ini)?.[1] ?? NaN)
      if (!Number.isFinite(port)) {
        const sh = readFileSync(join(activationDir(app, token), `${m[1]}.${m[2]}.sh`), 'utf8')
        port = Number(/^export PORT='(\d+)'$/m.exec(sh)?.[1] ?? NaN)
      }
    } catch {}
    if (port && Number.isFinite(port)) (ports[m[1]] ??= []).push(port)
  }
  return ports
}

export function gatherRecoveryInput(app: string): RecoveryInput {
  const p = appPaths(app)
  // vassal files first, then the journal: a deploy writes its record before its first vassal file, so a
  // vassal seen here always has its record on disk by the time the journal is read
  const vassals = vassalFiles(app)
  const journal = readJournal(app)
  const runRoot = activationsRunRoot(app)
  let nginxToken: string | undefined
  try {
    nginxToken = parseNginxToken(readFileSync(p.nginxConf, 'utf8'))
  } catch {}
  let stopped = false
  try {
    stopped = JSON.parse(readFileSync(p.state, 'utf8'))?.stopped === true
  } catch {}
  return {
    records: journal.records.map((r) => ({ ...r, ownerAlive: ownerAlive(r.owner) })),
    damagedRecords: journal.damaged,
    vassals,
    runDirs: existsSync(runRoot) ? readdirSync(runRoot) : [],
    active: readActiveState(app),
    nginxToken,
    current: currentRelease(app),
    stopped,
    portsOf: (token) => portsFromDisk(app, token, vassals.filter((f) => f.startsWith(vassalPrefix(app, token)))),
  }
}

/** Remove one activation's vassal files (the emperor stops their workers), launchers and record. */
function removeTokens(app: string, token: string, vassals: string[]): void {
  const dir = hostPaths().vassals
  for (const f of vassals) {
    try {
      unlinkSync(join(dir, f))
    } catch {}
  }
  rmSync(activationDir(app, token), { recursive: true, force: true })
  removeRecord(app, token)
}

/** state.json: unreadable -> rebuilt (stopped when nothing of the app runs). */
function repairAppState(app: string, plan: RecoveryPlan, notes: string[]): void {
  const f = appPaths(app).state
  if (!existsSync(f)) return
  let ok = false
  try {
    const v = JSON.parse(readFileSync(f, 'utf8'))
    ok = v !== null && typeof v === 'object'
  } catch {}
  if (ok) return
  const stopped = !plan.live && currentRelease(app) !== undefined
  if (stopped) writeFileAtomic(f, JSON.stringify({ stopped: true }) + '\n', 0o600)
  else rmSync(f, { force: true })
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

/** The live release's plan: damaged -> restored from the copy in its journal record. */
function repairPlan(app: string, live: ActivationRecord | undefined, notes: string[]): ReleasePlan | undefined {
  if (!live) return undefined
  const f = planFile(app, live.release)
  let plan: ReleasePlan | undefined
  let why = 'missing'
  try {
    const text = readFileSync(f, 'utf8')
    why = text.trim() ? 'not valid JSON' : 'empty'
    plan = JSON.parse(text) as ReleasePlan
    if (!plan || typeof plan !== 'object' || !Array.isArray(plan.processes)) plan = undefined
  } catch {}
  if (plan) return plan
  if (live.plan && existsSync(join(appPaths(app).releases, live.release))) {
    writePlan(live.plan)
    notes.push(`apps/${app}/releases/${live.release}.json was ${why}: restored from the activation journal`)
    return live.plan
  }
  notes.push(`apps/${app}/releases/${live.release}.json is ${why} and the journal has no copy: push again to rebuild it`)
  return undefined
}

/** A live release that the history does not know: its deploy was killed after the switch. */
function recordInterruptedSwitch(app: string, live: ActivationRecord, notes: string[]): void {
  const history = readHistory(app)
  if (history.some((e) => e.id === live.release)) return
  let sha = live.plan?.sha ?? ''
  try {
    sha = (JSON.parse(readFileSync(planFile(app, live.release), 'utf8')) as ReleasePlan).sha ?? sha
  } catch {}
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
    let sha = ''
    try {
      sha = (JSON.parse(readFileSync(planFile(app, id), 'utf8')) as ReleasePlan).sha ?? ''
    } catch {}
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
  if (plan.setCurrent && existsSync(join(appPaths(app).releases, plan.setCurrent))) switchCurrent(app, plan.setCurrent)
  if (plan.reloadNginx) {
    const reload = opts.reloadNginx ?? (async () => (await import('../host/system.js')).reloadNginx())
    await reload().catch((e: Error) => notes.push(`nginx reload failed: ${e.message}`))
    await new Promise((r) => setTimeout(r, DRAIN_MS)) // requests nginx's old workers still pass to the replaced activation
  }
  if (plan.live) recordInterruptedSwitch(app, plan.live, notes)
  for (const r of plan.remove) removeTokens(app, r.token, r.vassals)
  if (plan.removeActive) rmSync(activeFile(app), { force: true })
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
