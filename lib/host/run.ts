// run: the one way a child process is started: argument arrays, never a shell unless the caller runs
// /bin/sh on purpose (the Procfile command, `run`). Capture its output, hand it a callback, attach it to
// our stdio, or detach it (a script of the toolkit that outlives us). No heavy imports.
import { spawn, spawnSync, type SpawnOptions, type StdioOptions } from 'node:child_process'
import { lstatSync, mkdirSync, openSync, unlinkSync, constants as fsConstants } from 'node:fs'
import { dirname } from 'node:path'
import { constants } from 'node:os'

export type { SpawnOptions }

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** The exit status a shell would report: the code, or 128 + the signal's number. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)
}

/** Run a command (argument array, no shell) and collect its output. */
export function runCapture(cmd: string, args: string[], opts: SpawnOptions & { input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d) => (stdout += d))
    child.stderr!.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }))
    if (child.stdin) {
      child.stdin.on('error', () => {}) // a child that exits without reading its input is not our error
      child.stdin.end(opts.input)
    }
  })
}

/** Run a command and hand every chunk of its stdout and stderr to `onOutput`; resolves with its exit code. */
export function runWithOutput(cmd: string, args: string[], opts: SpawnOptions, onOutput: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', onOutput)
    child.stderr!.on('data', onOutput)
    child.on('error', reject)
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

/**
 * Run a command on our own stdio (git serving a push, `run`'s shell, tar writing a backup to stdout);
 * `stdio` may pipe stderr, which is then collected. Resolves with the exit status a shell would give.
 */
export function runAttached(cmd: string, args: string[], opts: SpawnOptions & { stdio?: StdioOptions } = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts })
    let stderr = ''
    child.stderr?.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code: exitStatus(code, signal), stderr }))
  })
}

/**
 * Open `file` for appending without following a link: the folder may be one an app writes in its sandbox (logs/APP),
 * and a link planted there must not make us write to the file it names. A link is removed; one that comes back at
 * once sends the output nowhere.
 */
export function openAppendNoFollow(file: string): number {
  const flags = fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW
  try {
    if (lstatSync(file).isSymbolicLink()) unlinkSync(file)
  } catch {} // broad on purpose: any failure ends in the open below, which falls back to no output
  try {
    return openSync(file, flags, 0o600)
  } catch {
    // broad on purpose: a log that cannot be opened sends the output nowhere rather than failing the start of a detached watcher
    return openSync('/dev/null', 'a')
  }
}

/** Start a toolkit script with Node, detached from us (it outlives the push or verb), its output appended
 *  to `logFile` (0600), with only the environment it needs. */
export function spawnDetached(script: string, args: string[], logFile: string): number | undefined {
  mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 })
  const log = openAppendNoFollow(logFile)
  const child = spawn(process.execPath, [script, ...args], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, USER: process.env.USER, PIKU_ROOT: process.env.PIKU_ROOT },
    cwd: '/',
  })
  child.unref()
  return child.pid
}

/** Run a check synchronously (nginx -t, visudo -c, while a file waits to be swapped in): whether it passed,
 *  and its first words of complaint. */
export function runCheckSync(cmd: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  if (r.status === 0) return { ok: true, output: '' }
  return { ok: false, output: (r.stderr || r.stdout || r.error?.message || `${cmd} exited ${r.status ?? r.signal}`).trim() }
}
