// deploy/sandbox: the one mechanism that puts an app's code into the app's sandbox. Every process that runs it goes
// through here: a build step, preflight and release (wrapCommand), every vassal of every kind (sandboxVassal:
// the emperor's file joins the memory cgroup, then execs a wrapper that runs uwsgi inside), `run`. Which folders
// each phase sees is decided here, from the layout in state/paths.ts; the argument list is render/sandbox.ts's.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { appPaths, hostPaths, innerVassalName, sandboxWrapperName } from '../state/paths.js'
import { planSandboxed, renderSandboxWrapper, type SandboxSpec } from '../render/sandbox.js'
import { renderVassalEntry } from '../render/uwsgi.js'
import { probeSandbox } from '../host/sandbox.js'
import type { HostSettings } from '../state/host-settings.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'

/** build: the dependency cache is writable; once: preflight, release; worker: a vassal (its logs writable);
 *  run: the `run` verb (interactive: its shell keeps the terminal). */
export type SandboxPhase = 'build' | 'once' | 'worker' | 'run' | 'interactive'

export const SANDBOX_TMP_BYTES = 64 * 1024 * 1024
export const SANDBOX_HOME_BYTES = 16 * 1024 * 1024

/** The admin's widening of one app's sandbox (config:set APP PIKU_SANDBOX_BIND=/dev/gpiomem,/dev/video0). */
export const SANDBOX_BIND_KEY = 'PIKU_SANDBOX_BIND'

export type SandboxState = { on: true; probe: Extract<ReturnType<typeof probeSandbox>, { ok: true }> } | { on: false; reason: string; off?: boolean }

/** Whether apps run sandboxed on this host, and why not. `SANDBOX=off` in host.env turns it off on purpose. */
export function readSandboxState(host: Pick<HostSettings, 'sandbox'>): SandboxState {
  if (host.sandbox === 'off') return { on: false, reason: 'SANDBOX=off in host.env', off: true }
  const probe = probeSandbox()
  return probe.ok ? { on: true, probe } : { on: false, reason: probe.reason }
}

/** The push's line about the sandbox: nothing when on; a warning when not (never a silent no-op); a failure when
 *  host.env says SANDBOX=require. */
export function checkSandbox(host: Pick<HostSettings, 'sandbox'>, warn = true): SandboxState {
  const s = readSandboxState(host)
  if (s.on) return s
  if (host.sandbox === 'require') throw new UserError(`apps are NOT sandboxed on this host (${s.reason}), and host.env says SANDBOX=require: nothing was started`)
  if (warn) log.warn(`apps are NOT sandboxed on this host (${s.reason})`)
  return s
}

/** PIKU_SANDBOX_BIND's paths: absolute, comma- or space-separated; each one must exist. */
export function parseSandboxBinds(value: string | undefined): string[] {
  const paths = (value ?? '').split(/[\s,]+/).filter(Boolean)
  for (const p of paths) {
    if (!p.startsWith('/') || p.split('/').includes('..')) throw new UserError(`${SANDBOX_BIND_KEY}: "${p}" is not an absolute path`)
    if (!existsSync(p)) throw new UserError(`${SANDBOX_BIND_KEY}: ${p} does not exist on this host`)
  }
  return paths
}

export interface AppSandboxAt {
  release: string // the release folder (writable)
  cwd?: string // default: the release folder
  runDir?: string // a vassal's activation folder (read-only)
  binds?: string // PIKU_SANDBOX_BIND's value (from config:set)
}

/** The sandbox of one process of `app` in `phase`. */
export function planAppSandbox(state: Extract<SandboxState, { on: true }>, app: string, phase: SandboxPhase, at: AppSandboxAt): SandboxSpec {
  const p = appPaths(app)
  const h = hostPaths()
  const existing = (list: string[]) => list.filter((d) => existsSync(d))
  const rw = [at.release, p.data, p.cache]
  const ro: string[] = []
  if (phase === 'build') rw.push(p.deps)
  else ro.push(p.deps)
  if (phase === 'worker') {
    rw.push(p.logs) // uwsgi writes and rotates the worker's log
    ro.push(p.deployLogs) // ... but the deploy logs stay as the deploys wrote them
    if (at.runDir) ro.push(at.runDir)
  }
  return {
    bwrap: state.probe.bwrap,
    system: state.probe.system,
    hide: state.probe.hide,
    home: h.root,
    homeBytes: SANDBOX_HOME_BYTES,
    tmpBytes: SANDBOX_TMP_BYTES,
    rw: existing(rw),
    ro: existing(ro),
    devices: parseSandboxBinds(at.binds),
    cwd: at.cwd ?? at.release,
    newSession: phase !== 'interactive',
  }
}

/** `[cmd, args]` running `cmd args` inside the app's sandbox, or unchanged when the host has none. */
export function wrapCommand(state: SandboxState, app: string, phase: SandboxPhase, at: AppSandboxAt, cmd: string, args: string[]): [string, string[]] {
  if (!state.on) return [cmd, args]
  return planSandboxed(planAppSandbox(state, app, phase, at), [cmd, ...args])
}

/** The build's extra environment inside a sandbox, where the home is a small private tmpfs: pip keeps no download
 *  cache there (npm's goes beside the install: runtime/build.ts; uv, go, cargo, composer, bundler keep theirs in the
 *  app's dependency folder already). */
export function sandboxBuildEnv(state: SandboxState): Record<string, string> {
  if (!state.on) return {}
  return { PIP_NO_CACHE_DIR: '1' }
}

export const UWSGI = '/usr/bin/uwsgi'

/**
 * One vassal in the sandbox: writes the instance's real vassal (`inner`) and its wrapper into the activation folder
 * and returns the text of the emperor's file: exec-asap joins the memory cgroup (`memoryScript`), then uwsgi execs
 * the wrapper, which runs `uwsgi --ini INNER` inside bwrap. Any new vassal kind gets it by going through here.
 */
export function sandboxVassal(
  state: Extract<SandboxState, { on: true }>,
  at: { app: string; title: string; release: string; runDir: string; kind: string; n: number; binds?: string; memoryScript?: string },
  inner: string,
  write: (path: string, text: string, mode: number) => void,
): string {
  const innerFile = join(at.runDir, innerVassalName(at.kind, at.n))
  const wrapper = join(at.runDir, sandboxWrapperName(at.kind, at.n))
  write(innerFile, inner, 0o600)
  const spec = planAppSandbox(state, at.app, 'worker', { release: at.release, runDir: at.runDir, binds: at.binds })
  write(wrapper, renderSandboxWrapper(at.title, spec, [UWSGI, '--ini', innerFile]), 0o700)
  return renderVassalEntry(at.title, { wrapper, memoryScript: at.memoryScript })
}
