// memory-setup: as root, make USER's memory cgroup subtree again (cgroups are cleared at every boot). Run by
// piku-boot and by the systemd unit's ExecStartPre; install.sh's host-setup does the same on install.
// Usage: node memory-setup.js USER   (prints the subtree, or why there is none, on stderr; exits 0 either way:
// the emperor must start even where caps cannot be enforced)
import { statSync } from 'node:fs'
import { runCapture } from '../host/run.js'
import { setupMemorySubtree } from '../host/cgroups.js'
import { validateUserName } from '../parse/host-options.js'
import { isErrno } from '../errors.js'
import { startedAs } from '../state/paths.js'
import * as log from '../log.js'

export async function runMemorySetup(argv: string[]): Promise<number> {
  const [user] = argv
  const valid = validateUserName(user ?? '')
  if (argv.length !== 1 || !valid.ok) {
    log.note(`memory-setup: usage: memory-setup.js USER${valid.ok ? '' : ` (${valid.errors[0]})`}`)
    return 2
  }
  const entry = await runCapture('getent', ['passwd', user])
  const home = entry.code === 0 ? entry.stdout.split(':')[5] : undefined
  let owner: { uid: number; gid: number } | undefined
  if (home) {
    try {
      owner = statSync(home)
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no home folder
    }
  }
  if (!owner) {
    log.note(`memory-setup: no such user, or no home folder: ${user}`)
    return 2
  }
  const plan = setupMemorySubtree(user, owner)
  log.note(plan.ok ? `memory caps: ${plan.path} (cgroup v${plan.version})` : `memory caps are not enforced on this host: ${plan.reason}`)
  return 0
}

if (startedAs('memory-setup.js')) runMemorySetup(process.argv.slice(2)).then((code) => (process.exitCode = code))
