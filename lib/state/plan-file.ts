// plan-file: a release's plan as it is stored (apps/APP/releases/vN.json, and the copy in its activation's
// journal record). The stored shape is its own versioned type, written out here field by field, apart from
// ReleasePlan (what the deploy and the renderers use): a renderer's refactor cannot change what is on disk
// without a compile error here, and a plan a newer toolkit wrote is refused with its path, never misread.
// Format 1 is today's plan with `format` and `version`; an unversioned plan (format 0, every toolkit before
// this one) has the same fields and is read as it is.
import type { ReleasePlan } from './release.js'
import { isRecordObject, type RecordCheck } from './record-file.js'

export const PLAN_FORMAT = 'piku-hooks-plan'
export const PLAN_VERSION = 1

/** A uwsgi option as stored: `[key, value]`. */
type StoredOption = readonly [string, string]

/** The stored plan, version 1. Every nested shape is spelled out: none is borrowed from a renderer. */
export interface PlanFileV1 {
  format: typeof PLAN_FORMAT
  version: 1
  app: string
  id: string
  sha: string
  subject: string
  created: string
  key: string
  reason: string
  dir: string
  env: Record<string, string>
  processes: { kind: string; role: 'web' | 'wsgi' | 'jwsgi' | 'php' | 'rwsgi' | 'daemon' | 'cron'; command: string; count: number; cron?: string[] }[]
  serverNames: string[]
  statics: { url: string; dir: string }[]
  catchAll?: string
  allowGitFolders: boolean
  nginx?: {
    httpsOnly: boolean
    cache?: { prefixes: string[]; sizeGb: number; timeS: number; redirectsS?: number; anyS?: number; controlS: number; expiryS: number; path?: string }
    includeFile?: string
    cloudflareAcl: boolean
    disableIpv6: boolean
    maxBody?: string
    proxyReadTimeoutS?: number
    proxySendTimeoutS?: number
    hsts?: { maxAgeS: number; subdomains: boolean }
  }
  settings: {
    processes: number
    threads: number
    maxRequests: number
    listen: number
    enableThreads: boolean
    logMaxSize: number
    idle?: number
    gevent?: number
    asyncio?: number
    include?: StoredOption[]
  }
  health: { path: string; timeoutMs: number; status?: [number, number][]; content?: string }
  autoRestart?: boolean
  sitePackages?: string
  jvmClasspath?: string[]
  depsDir?: string
  keep: number
  memory?: Record<string, { bytes: number; key: string; value: string }>
}

/** True only when the stored type and ReleasePlan name the same fields: a field added to one and not the
 *  other fails the build here, until the conversions below (and, for a changed meaning, a new version) say
 *  how it is stored. */
type SameFields = [Exclude<keyof ReleasePlan, keyof PlanFileV1>, Exclude<keyof PlanFileV1, keyof ReleasePlan | 'format' | 'version'>] extends [never, never] ? true : false
const sameFields: SameFields = true
void sameFields

/** The plan to store, field by field. */
export function planToFile(p: ReleasePlan): PlanFileV1 {
  const file: PlanFileV1 = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    app: p.app,
    id: p.id,
    sha: p.sha,
    subject: p.subject,
    created: p.created,
    key: p.key,
    reason: p.reason,
    dir: p.dir,
    env: p.env,
    processes: p.processes,
    serverNames: p.serverNames,
    statics: p.statics,
    catchAll: p.catchAll,
    allowGitFolders: p.allowGitFolders,
    nginx: p.nginx,
    settings: p.settings,
    health: p.health,
    autoRestart: p.autoRestart,
    sitePackages: p.sitePackages,
    jvmClasspath: p.jvmClasspath,
    depsDir: p.depsDir,
    keep: p.keep,
    memory: p.memory,
  }
  return dropUndefined(file)
}

/** The plan a stored one describes. */
export function planFromFile(f: PlanFileV1): ReleasePlan {
  const plan: ReleasePlan = {
    app: f.app,
    id: f.id,
    sha: f.sha,
    subject: f.subject,
    created: f.created,
    key: f.key,
    reason: f.reason,
    dir: f.dir,
    env: f.env,
    processes: f.processes,
    serverNames: f.serverNames,
    statics: f.statics,
    catchAll: f.catchAll,
    allowGitFolders: f.allowGitFolders,
    nginx: f.nginx,
    settings: f.settings,
    health: f.health,
    autoRestart: f.autoRestart,
    sitePackages: f.sitePackages,
    jvmClasspath: f.jvmClasspath,
    depsDir: f.depsDir,
    keep: f.keep,
    memory: f.memory,
  }
  return dropUndefined(plan)
}

/** Absent stays absent (JSON has no undefined; the round trip must give back the same object). */
function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k]
  return o
}

/** Check a stored plan: version 1 as it is, an unversioned one (every older toolkit) migrated to version 1,
 *  anything else refused with what it says (the caller adds the path). */
export function checkPlanFile(v: unknown): RecordCheck<PlanFileV1> {
  if (!isRecordObject(v)) return { why: 'not a release plan' }
  if (v.format === undefined && v.version === undefined) return checkPlanFile({ ...v, format: PLAN_FORMAT, version: PLAN_VERSION })
  if (v.format !== PLAN_FORMAT) return { why: `not a release plan (format ${JSON.stringify(v.format)})` }
  if (v.version !== PLAN_VERSION) return { why: `plan format version ${JSON.stringify(v.version)}, which this toolkit does not know (it reads version ${PLAN_VERSION}; a newer toolkit wrote it)` }
  if (!Array.isArray(v.processes)) return { why: 'not a release plan (no processes)' }
  return { value: v as unknown as PlanFileV1 }
}
