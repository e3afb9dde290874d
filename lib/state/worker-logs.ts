// worker-logs: the workers' logs of an app (logs/APP/KIND.N.log): the last lines of each, prefixed
// `KIND.N | `, then following them (new files, and files uwsgi rotated or truncated) until the reader goes.
import { closeSync, existsSync, openSync, readdirSync, readSync, lstatSync, constants } from 'node:fs'
import { join } from 'node:path'
import { appPaths, parseWorkerLogName } from './paths.js'
import { isErrno } from '../errors.js'

const MAX_READ = 4 * 1024 * 1024

/** The log files of `names` (a folder listing) for `kind` (all kinds when undefined), by kind then number. */
export function selectLogFiles(names: string[], kind?: string): { name: string; label: string }[] {
  return names
    .flatMap((f) => {
      const m = parseWorkerLogName(f)
      return m && (kind === undefined || m.kind === kind) ? [{ name: f, label: `${m.kind}.${m.n}`, kind: m.kind, n: m.n }] : []
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

/** Up to `max` bytes of `path` from `pos`. */
function readRange(path: string, pos: number, max: number): Buffer {
  const buf = Buffer.alloc(max)
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW) // an app's link in its log folder is not followed
  try {
    return buf.subarray(0, readSync(fd, buf, 0, max, pos))
  } finally {
    closeSync(fd)
  }
}

interface Followed {
  label: string
  path: string
  ino: number
  pos: number
  partial: string
}

export interface ShowLogs {
  app: string
  kind?: string
  lines: number
  follow: boolean
  write: (line: string) => void // one line, without its newline
  goneWhen: () => boolean // stop following (the client went away)
  sleep: (ms: number) => Promise<void>
}

/** Show the logs; returns false when there was none to show and no follow was asked. */
export async function showWorkerLogs({ app, kind, lines, follow, write, goneWhen, sleep }: ShowLogs): Promise<boolean> {
  const dir = appPaths(app).logs
  const list = () => selectLogFiles(existsSync(dir) ? readdirSync(dir) : [], kind)
  const files = list()
  if (files.length === 0 && !follow) return false
  let width = Math.max(0, ...files.map((f) => f.label.length))
  const prefix = (label: string) => `${label.padEnd(width)} | `
  const followed = new Map<string, Followed>()
  for (const f of files) {
    const path = join(dir, f.name)
    try {
      const st = lstatSync(path)
      if (!st.isFile()) continue
      const start = Math.max(0, st.size - MAX_READ)
      for (const l of lastLines(readRange(path, start, st.size - start).toString('utf8'), lines)) write(prefix(f.label) + l)
      followed.set(f.name, { label: f.label, path, ino: st.ino, pos: st.size, partial: '' })
    } catch (e) {
      if (!isErrno(e, 'ENOENT') && !isErrno(e, 'ELOOP')) throw e // removed since it was listed, or made a link
    }
  }
  if (!follow) return true
  // poll once a second
  while (!goneWhen()) {
    await sleep(1000)
    for (const f of list()) {
      if (!followed.has(f.name)) followed.set(f.name, { label: f.label, path: join(dir, f.name), ino: -1, pos: 0, partial: '' })
    }
    width = Math.max(width, ...[...followed.values()].map((f) => f.label.length))
    for (const [name, f] of followed) {
      let st
      try {
        st = lstatSync(f.path)
      } catch (e) {
        if (!isErrno(e, 'ENOENT')) throw e
        followed.delete(name) // removed (scaled down, destroyed); picked up again if it comes back
        continue
      }
      if (!st.isFile()) {
        followed.delete(name) // a link the app made in its log folder: not followed
        continue
      }
      if (st.ino !== f.ino || st.size < f.pos) {
        // new, rotated (uwsgi renamed it to .old and opened a new one) or truncated: from the start
        f.ino = st.ino
        f.pos = 0
        f.partial = ''
      }
      if (st.size <= f.pos) continue
      const buf = readRange(f.path, f.pos, Math.min(st.size - f.pos, MAX_READ))
      f.pos += buf.length
      const parts = (f.partial + buf.toString('utf8')).split('\n')
      f.partial = parts.pop() ?? ''
      for (const l of parts) write(prefix(f.label) + l)
    }
  }
  return true
}
