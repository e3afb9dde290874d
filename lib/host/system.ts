// system: the I/O edges toward the host: nginx checks and reloads, ports, health checks (child processes
// are started by run.ts, files written by atomic-file.ts; both are re-exported here for the deploy code).
import { mkdirSync, existsSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { request } from 'node:http'
import { join } from 'node:path'
import { UserError } from '../errors.js'
import * as log from '../log.js'

import { writeFileAtomic } from './atomic-file.js'
import { pidAlive, sleep } from './wait.js'
import { runCapture, runWithOutput, type SpawnOptions } from './run.js'
export { writeFileAtomic, pidAlive, sleep }

export type { RunResult } from './run.js'
export { runCapture }

/** Run a command with its output sent to our stderr (the pusher sees it as `remote:` lines) through
 *  log.raw, so a deploy log gets a copy. */
export function runStreamed(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<number> {
  return runWithOutput(cmd, args, opts, (d) => log.raw(d))
}

/** A port on 127.0.0.1 that is free now and not in `taken`. */
export async function pickFreePort(taken: Set<number>, lo = 20000, hi = 29999): Promise<number> {
  const span = hi - lo + 1
  const start = Math.floor(Math.random() * span)
  for (let i = 0; i < span; i++) {
    const port = lo + ((start + i) % span)
    if (taken.has(port)) continue
    if (await portFree(port)) return port
  }
  throw new UserError('no free port left on 127.0.0.1 between 20000 and 29999')
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

/** One HTTP GET on a new connection; resolves with the body, or '' when nothing answered. */
export function httpBody(addr: string, port: number, path: string, host: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: addr, port, path, method: 'GET', headers: { host }, timeout: timeoutMs, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve(res.statusCode === 200 ? body : ''))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(''))
    req.end()
  })
}

/** One HTTP GET on loopback on a new connection (no keep-alive: after an nginx reload, an old connection
 *  would still reach an old worker): the status (0 when nothing answered) and the first `maxBytes` of the body. */
export function httpAnswer(port: number, path: string, host: string, timeoutMs = 2000, maxBytes = 64 * 1024): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host }, timeout: timeoutMs, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        if (body.length < maxBytes) body += d.slice(0, maxBytes - body.length)
        else res.destroy()
      })
      const done = () => resolve({ status: res.statusCode ?? 0, body })
      res.on('end', done)
      res.on('close', done)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve({ status: 0, body: '' }))
    req.end()
  })
}

export interface HealthFailure {
  port: number
  answer: { status: number; body: string } // the last answer (status 0: nothing answered)
  reason: string
}

/** Wait until every port's answer passes `judge` (undefined: healthy), or the deadline passes. Returns the
 *  ports that never did, each with its last answer and what was wrong with it. */
export async function waitHealthy(
  ports: number[],
  path: string,
  host: string,
  timeoutMs: number,
  judge: (a: { status: number; body: string }) => string | undefined,
): Promise<HealthFailure[]> {
  const deadline = Date.now() + timeoutMs
  const pending = new Map<number, HealthFailure>(ports.map((p) => [p, { port: p, answer: { status: 0, body: '' }, reason: 'no answer' }]))
  while (pending.size && Date.now() < deadline) {
    for (const p of [...pending.keys()]) {
      const answer = await httpAnswer(p, path, host)
      const reason = judge(answer)
      if (reason === undefined) pending.delete(p)
      else pending.set(p, { port: p, answer, reason })
    }
    if (pending.size) await sleep(200)
  }
  return [...pending.values()]
}

const NGINX = '/usr/sbin/nginx'

/**
 * Check nginx configuration for this user's apps with `candidates` (app -> file) in place of their
 * live files, through a wrapper config, as the user (no root, nothing live touched).
 */
export async function validateNginx(nginxDir: string, runDir: string, candidates: Map<string, string>, removed: Set<string> = new Set()): Promise<void> {
  const files: string[] = []
  if (existsSync(nginxDir)) {
    for (const f of readdirSync(nginxDir)) {
      if (!f.endsWith('.conf')) continue
      const app = f.slice(0, -'.conf'.length)
      if (candidates.has(app) || removed.has(app)) continue
      files.push(join(nginxDir, f))
    }
  }
  files.push(...candidates.values())
  const prefix = join(runDir, 'nginx-test')
  mkdirSync(prefix, { recursive: true })
  const wrapper = join(prefix, 'nginx.conf')
  const conf = [
    `pid ${join(prefix, 'nginx.pid')};`,
    'error_log stderr;',
    'events {}',
    'http {',
    '    include /etc/nginx/mime.types;',
    `    access_log off;`,
    ...files.map((f) => `    include ${f};`),
    '}',
    '',
  ].join('\n')
  writeFileAtomic(wrapper, conf, 0o600)
  const r = await runCapture(NGINX, ['-t', '-q', '-p', prefix + '/', '-e', 'stderr', '-c', wrapper])
  if (r.code !== 0) {
    const lines = r.stderr.split('\n').filter((l) => l.includes('[emerg]') || l.includes('[error]'))
    // `nginx: 2026/12/02 07:25:48 [emerg] 27632#27632: unknown directive ...`: the message is what follows
    const first = (lines[0] ?? r.stderr.trim()).replace(/^nginx: /, '').replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[\w+\] \d+#\d+: /, '')
    throw new UserError(`nginx rejected the configuration: ${first}`)
  }
}

/** Graceful nginx reload through the one sudo rule install.sh grants. */
export async function reloadNginx(): Promise<void> {
  const r = await runCapture('sudo', ['-n', NGINX, '-s', 'reload'])
  if (r.code !== 0) throw new UserError(`nginx reload failed: ${r.stderr.trim().split('\n')[0]}`)
}

