// render/sandbox: the bubblewrap argument list that puts one process of an app into that app's sandbox, and the
// per-vassal wrapper script that enters it (pure). Unprivileged user, mount, PID, IPC and UTS namespaces; the
// system read-only; the piku home hidden behind an empty private tmpfs, with only the app's own folders bound
// back into it at their own paths (so every path a process, a log line or `ps` shows is the host's); a private,
// size-bounded /tmp; a private /proc; the network (loopback) shared. Nothing of /run, /sys or /var is bound.
import { shellQuote } from './quote.js'

/** A top-level system path as the host has it: a folder bound read-only, or a symlink (merged /usr: /bin -> usr/bin). */
export interface SystemEntry {
  path: string
  link?: string // the symlink's target, when the host's path is a symlink
}

export interface SandboxSpec {
  bwrap: string // the bwrap binary
  system: SystemEntry[] // /usr, /etc, /bin, /lib ... read-only, as the host has them
  hide: string[] // folders under the system paths covered by an empty tmpfs (the host's nginx, uwsgi, database config)
  home: string // the piku user's home: an empty private tmpfs inside
  homeBytes: number
  tmpBytes: number
  rw: string[] // the app's writable folders: its release, DATA_ROOT, CACHE_ROOT (+ its dependency cache while building, its logs for a vassal)
  ro: string[] // read-only: its dependency cache at run time, the activation's folder (launchers, env files), deploy logs
  devices: string[] // PIKU_SANDBOX_BIND: devices or paths the admin added, bound as they are
  cwd: string
  newSession: boolean // false only for an interactive `run` (its shell keeps the terminal's job control)
}

const SAFE_PATH = /^\/[^\0\r\n]*$/

function checkPath(p: string): string {
  if (!SAFE_PATH.test(p) || p.split('/').includes('..')) throw new Error(`unsafe sandbox path: ${JSON.stringify(p)}`)
  return p.length > 1 ? p.replace(/\/+$/, '') : p
}

/** bwrap's options for `s`, ending with `--`; the command and its arguments follow. Order matters: a later mount
 *  lies over an earlier one, so the home's tmpfs comes before the app's folders bound back into it. */
export function planSandboxArgs(s: SandboxSpec): string[] {
  const a: string[] = ['--die-with-parent', '--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try']
  if (s.newSession) a.push('--new-session')
  for (const e of s.system) {
    const path = checkPath(e.path)
    if (e.link !== undefined) {
      if (/[\0\r\n]/.test(e.link) || e.link === '') throw new Error(`unsafe sandbox link: ${JSON.stringify(e.link)}`)
      a.push('--symlink', e.link, path)
    } else a.push('--ro-bind', path, path)
  }
  for (const h of s.hide) a.push('--tmpfs', checkPath(h))
  a.push('--proc', '/proc', '--dev', '/dev')
  // /dev is a tmpfs of the kernel's default size (half the RAM): /dev/shm gets the bound /tmp has, and /dev is made
  // read-only once the devices are in, so neither is a way round the /tmp bound
  a.push('--size', String(Math.floor(s.tmpBytes)), '--tmpfs', '/dev/shm')
  a.push('--size', String(Math.floor(s.tmpBytes)), '--tmpfs', '/tmp')
  a.push('--size', String(Math.floor(s.homeBytes)), '--tmpfs', checkPath(s.home))
  for (const p of s.rw) a.push('--bind', checkPath(p), checkPath(p))
  for (const p of s.ro) a.push('--ro-bind', checkPath(p), checkPath(p))
  for (const d of s.devices) a.push('--dev-bind', checkPath(d), checkPath(d))
  a.push('--remount-ro', '/dev')
  a.push('--chdir', checkPath(s.cwd), '--')
  return a
}

/** `[cmd, args]` of `command` run inside the sandbox `s`. */
export function planSandboxed(s: SandboxSpec, command: string[]): [string, string[]] {
  if (!command.length) throw new Error('a sandboxed command needs a program')
  return [checkPath(s.bwrap), [...planSandboxArgs(s), ...command]]
}

/**
 * The wrapper a sandboxed vassal's uwsgi execs itself into (`privileged-binary-patch-arg`, after its exec-asap has
 * joined the memory cgroup): `exec bwrap ... -- uwsgi --ini INNER`. The same process, so the emperor keeps its pid
 * and the inherited pipe it stops and reloads the vassal through (UWSGI_EMPEROR_FD) reaches the uwsgi inside.
 */
export function renderSandboxWrapper(title: string, s: SandboxSpec, command: string[]): string {
  const [cmd, args] = planSandboxed(s, command)
  return [
    '#!/bin/sh',
    `# piku-hooks sandbox: ${title.replace(/[\r\n]/g, ' ')} (generated)`,
    '# the uwsgi that execs this marked itself started (UWSGI_RELOADS): the one inside starts afresh (its logto, ...)',
    'unset UWSGI_RELOADS',
    `exec ${[cmd, ...args].map(shellQuote).join(' ')}`,
    '',
  ].join('\n')
}
