// repo-hooks: every app's bare repo links its pre-receive and post-receive hooks to the installed toolkit's
// bin/ shims, so an upgrade of the toolkit reaches every app at once. install.sh relinks them all as the user:
//   node repo-hooks.js   (as the piku-hooks user; PIKU_ROOT or HOME names the host root)
import { swapSymlink } from './host/atomic-file.js'
import { existsSync, readdirSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { hostPaths, startedAs, toolkitRoot } from './state/paths.js'

export const HOOKS = ['pre-receive', 'post-receive'] as const

/** Make sure the repo's hooks link to the installed toolkit (relinked when missing or pointing elsewhere).
 *  Returns how many links it changed. */
export function linkHooks(repo: string, toolkit: string = toolkitRoot()): number {
  let changed = 0
  for (const hook of HOOKS) {
    const target = join(toolkit, 'bin', hook)
    const link = join(repo, 'hooks', hook)
    let current: string | undefined
    try {
      current = readlinkSync(link)
    } catch {}
    if (current === target) continue
    swapSymlink(link, target)
    changed++
  }
  return changed
}

/** Relink the hooks of every app under `root`; returns the apps whose links changed. */
export function relinkAllHooks(root: string = hostPaths().root, toolkit: string = toolkitRoot()): string[] {
  const repos = hostPaths(root).repos
  if (!existsSync(repos)) return []
  const changed: string[] = []
  for (const app of readdirSync(repos).sort()) {
    const repo = join(repos, app)
    if (!existsSync(join(repo, 'HEAD')) || !existsSync(join(repo, 'hooks'))) continue
    if (linkHooks(repo, toolkit) > 0) changed.push(app)
  }
  return changed
}

if (startedAs('repo-hooks.js')) {
  try {
    const changed = relinkAllHooks()
    process.stdout.write(changed.length ? `       relinked the git hooks of ${changed.join(', ')}\n` : '')
  } catch (e) {
    process.stderr.write(`error: could not relink the apps' git hooks: ${(e as Error).message}\n`)
    process.exitCode = 1
  }
}
