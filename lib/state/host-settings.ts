// host-settings: reads host.env, the settings install.sh wrote for this user (parsed by parse/host-env.ts). Read
// once per operation by the function that starts it (deployRevision for a whole deploy, activateStaged,
// restartCurrent, stopApp, refreshNginx, readPs, gatherChecks, afterSwitch, issueCertificates; the rollback verb),
// and passed down: nothing under them reads it again.
import { readFileSync } from 'node:fs'
import { hostPaths } from './paths.js'
import { parseHostEnv, type HostSettings } from '../parse/host-env.js'
import { isErrno } from '../errors.js'

export type { HostSettings } from '../parse/host-env.js'

export function readHostSettings(): HostSettings {
  const p = hostPaths()
  let text = ''
  try {
    text = readFileSync(p.settings, 'utf8')
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e // no host.env yet: the defaults
  }
  const s = parseHostEnv(text)
  if (!s.user) s.user = process.env.USER ?? 'piku'
  return s
}
