// host/sandbox: can this host start an unprivileged bubblewrap sandbox, and how its system paths look (which of
// /bin, /lib... are symlinks into /usr, which host config folders exist to be hidden). Probed once per process.
import { spawnSync } from 'node:child_process'
import { existsSync, lstatSync, readlinkSync, readdirSync, realpathSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { SystemEntry } from '../render/sandbox.js'
import { isErrno } from '../errors.js'

export const BWRAP = '/usr/bin/bwrap'

/** What an app sees of the system, read-only. /run (local sockets such as PostgreSQL's), /var, /sys, /home are not. */
const SYSTEM = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt']
/** Host configuration no app needs: covered by an empty folder inside. */
const HIDE = ['/etc/nginx', '/etc/uwsgi', '/etc/postgresql', '/etc/postgresql-common', '/etc/redis', '/etc/sudoers.d', '/etc/letsencrypt', '/etc/piku-hooks']

export type SandboxProbe = { ok: true; bwrap: string; system: SystemEntry[]; hide: string[] } | { ok: false; reason: string }

/** The host's system paths as bwrap should recreate them (a missing one is left out). */
export function readSystemLayout(): { system: SystemEntry[]; hide: string[] } {
  const system: SystemEntry[] = []
  for (const path of SYSTEM) {
    try {
      const st = lstatSync(path)
      if (st.isSymbolicLink()) system.push({ path, link: readlinkSync(path) })
      else if (st.isDirectory()) system.push({ path })
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // a missing one is left out
    }
  }
  return { system, hide: HIDE.filter((h) => existsSync(h)) }
}

let probed: SandboxProbe | undefined

/** Start `true` in a minimal sandbox: ok, or why not (bubblewrap missing, user namespaces refused by the kernel
 *  or AppArmor, a chroot). */
export function probeSandbox(): SandboxProbe {
  if (probed) return probed
  if (!existsSync(BWRAP)) return (probed = { ok: false, reason: `bubblewrap is not installed (${BWRAP}; apt-get install bubblewrap as root)` })
  const layout = readSystemLayout()
  const args = ['--die-with-parent', '--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts']
  for (const e of layout.system) args.push(...(e.link !== undefined ? ['--symlink', e.link, e.path] : ['--ro-bind', e.path, e.path]))
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--', '/bin/true')
  const r = spawnSync(BWRAP, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 20_000 })
  if (r.status === 0) return (probed = { ok: true, bwrap: BWRAP, ...layout })
  const why = (r.stderr || r.error?.message || `bwrap exited ${r.status ?? r.signal}`).trim().split('\n')[0].replace(/^bwrap: /, '')
  return (probed = { ok: false, reason: `an unprivileged bubblewrap sandbox does not start: ${why}` })
}

/** Links under `folder` whose target resolves outside `root` (or nowhere), as paths relative to `root`; at most
 *  `limit` entries are looked at. nginx refuses every link of a static folder at run time; this names them at deploy. */
export function findLinksOut(folder: string, root: string, limit = 100_000): string[] {
  const realRoot = realpathSync(root)
  const out: string[] = []
  const stack = [folder]
  let seen = 0
  while (stack.length && seen < limit) {
    const dir = stack.pop() as string
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES')) throw e // gone meanwhile, or a folder the app made unreadable
      continue
    }
    for (const name of names) {
      if (++seen > limit) break
      const path = join(dir, name)
      const st = lstatSync(path)
      if (st.isDirectory()) stack.push(path)
      else if (st.isSymbolicLink()) {
        let target = ''
        try {
          target = realpathSync(path)
        } catch (e) {
          if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'ENAMETOOLONG')) throw e // dangling or looping: counted as out
        }
        if (!target || (target !== realRoot && !target.startsWith(realRoot + sep))) out.push(relative(root, path))
      }
    }
  }
  return out.sort()
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep)

/** Links under `folder` that lead into `area` (the piku home) but outside `folder` itself, by their text or once
 *  resolved, as paths relative to `folder`: pushed links the toolkit, running outside the sandbox, must never read
 *  through (an ENV or package.json that is a link to another app's ENV). At most `limit` entries are looked at. */
export function findLinksInto(folder: string, area: string, limit = 100_000): string[] {
  const realFolder = realpathSync(folder)
  const areas = [resolve(area)]
  try {
    areas.push(realpathSync(area))
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no such area yet: its text is enough
  }
  const out: string[] = []
  const stack = [folder]
  let seen = 0
  while (stack.length && seen < limit) {
    const dir = stack.pop() as string
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES')) throw e // gone meanwhile, or a folder the app made unreadable
      continue
    }
    for (const name of names) {
      if (++seen > limit) break
      const path = join(dir, name)
      const st = lstatSync(path)
      if (st.isDirectory()) stack.push(path)
      else if (st.isSymbolicLink()) {
        const text = resolve(dirname(path), readlinkSync(path))
        let real: string | undefined
        try {
          real = realpathSync(path)
        } catch (e) {
          if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'ENAMETOOLONG')) throw e // dangling or looping: its text alone is checked
        }
        const leaves = [text, ...(real ? [real] : [])].some((p) => !inside(resolve(folder), p) && !inside(realFolder, p) && areas.some((a) => inside(a, p)))
        if (leaves) out.push(relative(folder, path))
      }
    }
  }
  return out.sort()
}
