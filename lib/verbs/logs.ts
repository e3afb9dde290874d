// logs: the last lines of each worker's log (logs/APP/KIND.N.log), each prefixed `KIND.N | `; then
// follows them (new files and rotated files included) unless `-n N` asks for a bounded tail.
import { validateKind } from '../parse/app-name.js'
import { currentRelease, readPlan } from '../state/release.js'
import { type Result, ok, fail, UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export interface LogsRequest {
  kind?: string
  lines: number
  follow: boolean
}

const DEFAULT_LINES = 20
const MAX_LINES = 10_000

/** `logs APP [KIND] [-n N]`: the arguments after APP. */
export function parseLogsArgs(args: string[]): Result<LogsRequest> {
  let kind: string | undefined
  let lines: number | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '-n' || a === '--lines') {
      const v = args[++i]
      if (v === undefined || !/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > MAX_LINES) return fail(`logs: -n takes a number of lines from 1 to ${MAX_LINES}`)
      lines = Number(v)
    } else if (kind === undefined && !a.startsWith('-')) {
      const valid = validateKind(a)
      if (!valid.ok) return fail(`logs: ${valid.errors[0]}`)
      kind = a
    } else {
      return fail(`logs: unexpected argument ${JSON.stringify(a.slice(0, 40))}; usage: logs APP [KIND] [-n N]`)
    }
  }
  return ok({ kind, lines: lines ?? DEFAULT_LINES, follow: lines === undefined })
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const req = parseLogsArgs(rest)
  if (!req.ok) throw new UserError(req.errors[0])
  const { kind, lines, follow } = req.value
  const id = currentRelease(app)
  const plan = id ? readPlan(app, id) : undefined
  if (kind && plan && !plan.processes.some((p) => p.kind === kind)) {
    throw new UserError(`logs: "${kind}" is not a running kind of "${app}"; it has ${plan.processes.map((p) => p.kind).join(', ') || 'none'}`)
  }
  const { showWorkerLogs } = await import('../state/worker-logs.js')
  const { sleep } = await import('../host/wait.js')
  // follow until the client goes away (stdout breaks or our parent, sshd, is gone)
  let gone = false
  process.stdout.on('error', () => (gone = true))
  const parent = process.ppid
  const write = (line: string) => log.outLine(line)
  const shown = await showWorkerLogs({ app, kind, lines, follow, write, goneWhen: () => gone || process.ppid !== parent, sleep })
  if (!shown) log.note(`no logs found for "${app}"${kind ? ` (kind ${kind})` : ''}`)
  return 0
}
