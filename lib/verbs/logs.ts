// logs: the last lines of each worker's log (logs/APP/KIND.N.log), each prefixed `KIND.N | `; then
// follows them (new files and rotated files included) unless `-n N` asks for a bounded tail.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { appPaths } from '../state/paths.js'
import { validateKind } from '../parse/app-name.js'
import { currentRelease, readPlan } from '../state/release.js'
import { type Result, ok, fail, UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export interface LogsRequest {
  kind?: string
  lines: number
  follow: boolean
}

const DEFAULT_LINES = 20
const MAX_LINES = 10_000
const LOG_FILE = /^([A-Za-z][A-Za-z0-9_-]{0,31})\.(\d{1,3})\.log$/

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

/** The log files of `names` (a folder listing) for `kind` (all kinds when undefined), by kind then number. */
export function selectLogFiles(names: string[], kind?: string): { name: string; label: string }[] {
  return names
    .flatMap((f) => {
      const m = LOG_FILE.exec(f)
      return m && (kind === undefined || m[1] === kind) ? [{ name: f, label: `${m[1]}.${Number(m[2])}`, kind: m[1], n: Number(m[2]) }] : []
    })
    .sort((a, b) => (a.kind === b.kind ? a.n - b.n : a.kind < b.kind ? -1 : 1))
    .map(({ name, label }) => ({ name, label }))
}

/** The last `n` complete lines of `text`. */
export function lastLines(text: string, n: number): string[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines.slice(-n)
}

function readTail(path: string, maxBytes = 4 * 1024 * 1024): { text: string; size: number; ino: number } {
  const st = statSync(path)
  const start = Math.max(0, st.size - maxBytes)
  const buf = Buffer.alloc(st.size - start)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, buf, 0, buf.length, start)
  } finally {
    closeSync(fd)
  }
  return { text: buf.toString('utf8'), size: st.size, ino: st.ino }
}

interface Followed {
  label: string
  path: string
  ino: number
  pos: number
  partial: string
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
  const dir = appPaths(app).logs
  const list = () => selectLogFiles(existsSync(dir) ? readdirSync(dir) : [], kind)
  const files = list()
  if (files.length === 0 && !follow) {
    process.stderr.write(`no logs found for "${app}"${kind ? ` (kind ${kind})` : ''}\n`)
    return 0
  }
  let width = Math.max(0, ...files.map((f) => f.label.length))
  const prefix = (label: string) => `${label.padEnd(width)} | `
  const followed = new Map<string, Followed>()
  for (const f of files) {
    const path = join(dir, f.name)
    try {
      const t = readTail(path)
      for (const l of lastLines(t.text, lines)) process.stdout.write(prefix(f.label) + l + '\n')
      followed.set(f.name, { label: f.label, path, ino: t.ino, pos: t.size, partial: '' })
    } catch {}
  }
  if (!follow) return 0

  // follow: poll once a second until the client goes away (stdout breaks or our parent, sshd, is gone)
  let gone = false
  process.stdout.on('error', () => (gone = true))
  const parent = process.ppid
  const { sleep } = await import('../host/system.js')
  while (!gone && process.ppid === parent) {
    await sleep(1000)
    for (const f of list()) {
      if (!followed.has(f.name)) followed.set(f.name, { label: f.label, path: join(dir, f.name), ino: -1, pos: 0, partial: '' })
    }
    width = Math.max(width, ...[...followed.values()].map((f) => f.label.length))
    for (const [name, f] of followed) {
      let st
      try {
        st = statSync(f.path)
      } catch {
        followed.delete(name) // removed (scaled down, destroyed); picked up again if it comes back
        continue
      }
      if (st.ino !== f.ino || st.size < f.pos) {
        // new, rotated (uwsgi renamed it to .old and opened a new one) or truncated: from the start
        f.ino = st.ino
        f.pos = 0
        f.partial = ''
      }
      if (st.size <= f.pos) continue
      const buf = Buffer.alloc(Math.min(st.size - f.pos, 4 * 1024 * 1024))
      const fd = openSync(f.path, 'r')
      try {
        readSync(fd, buf, 0, buf.length, f.pos)
      } finally {
        closeSync(fd)
      }
      f.pos += buf.length
      const text = f.partial + buf.toString('utf8')
      const parts = text.split('\n')
      f.partial = parts.pop() ?? ''
      for (const l of parts) process.stdout.write(prefix(f.label) + l + '\n')
    }
  }
  return 0
}
