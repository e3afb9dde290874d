// host-setup: install.sh's root-side work (through the entry lib/entries/host-setup.ts). Writes host.env, the uwsgi
// emperor ini, the renewal vassal, the nginx host server, the sudoers rule (and the systemd unit where
// systemd runs), each checked before it is swapped in, then authorizes the given admin keys.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { writeFileAtomic } from '../host/atomic-file.js'
import { runCheckSync } from '../host/run.js'
import { UserError, unwrap } from '../errors.js'
import { parseHostArgs, type HostOptions } from '../parse/host-options.js'
import { parseHostEnv } from '../parse/host-env.js'
import { parseKeyLines, parsePublicKey, planKeyName } from '../parse/ssh-key.js'
import { addKey, chownKeyFiles, readKeyRecords, writeFetchAccess } from '../state/key-store.js'
import * as log from '../log.js'
import { setupMemorySubtree } from '../host/cgroups.js'
import { hostPaths, templatePath, toolkitRoot } from '../state/paths.js'
import { renderEmperorIni, renderEmperorUnit, renderHostConf, renderHostEnv, renderRenewVassal, renderSudoers } from '../render/host.js'

function writeFile(file: string, text: string, mode: number, owner?: { uid: number; gid: number }): void {
  writeFileAtomic(file, text, mode, { owner })
}

/** Put the nginx host server in place, then check the whole live config; on failure restore what was there. */
function writeNginxHostConf(file: string, text: string): void {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined
  if (previous === text) return
  writeFile(file, text, 0o644)
  const check = runCheckSync('nginx', ['-t', '-q'])
  if (check.ok) return
  if (previous === undefined) rmSync(file, { force: true })
  else writeFile(file, previous, 0o644)
  throw new UserError(`nginx rejects ${file}:\n${check.output}`)
}

function writeSudoers(file: string, text: string): void {
  writeFileAtomic(file, text, 0o440, {
    validate: (tmp) => {
      const check = runCheckSync('visudo', ['-cf', tmp])
      if (!check.ok) throw new UserError(`visudo rejects the sudoers rule for ${file}: ${check.output}`)
    },
  })
}

async function authorizeKeys(o: HostOptions, owner: { uid: number; gid: number }): Promise<void> {
  for (const file of o.keys) {
    if (!existsSync(file)) throw new UserError(`--key: no such file: ${file}`)
    for (const line of parseKeyLines(readFileSync(file, 'utf8'))) {
      const k = unwrap(parsePublicKey(line))
      const name = planKeyName(k.comment, basename(file).replace(/\.pub$/, ''), readKeyRecords(o.home).map((r) => r.name))
      const added = unwrap(await addKey(o.home, name, 'admin', line))
      log.info(added.added ? `key ${added.name} authorized (admin)` : `key ${added.name} already authorized`)
    }
  }
  await writeFetchAccess(o.home)
  chownKeyFiles(o.home, owner)
}

export async function runHostSetup(argv: string[]): Promise<void> {
  const o = unwrap(parseHostArgs(argv))
  if (!existsSync(o.home)) throw new UserError(`${o.home} does not exist: create the user first`)
  const { uid, gid } = statSync(o.home) // install.sh made it NAME:www-data
  const owner = { uid, gid }
  const paths = hostPaths(o.home)
  const template = (...p: string[]) => readFileSync(templatePath(...p), 'utf8')

  const memory = setupMemorySubtree(o.user, owner)
  // an admin's SANDBOX=require or off survives a new install.sh run
  const sandbox = existsSync(paths.settings) ? parseHostEnv(readFileSync(paths.settings, 'utf8')).sandbox : undefined
  writeFile(paths.settings, renderHostEnv({ ...o, memoryCgroup: memory.ok ? memory.path : undefined, sandbox }), 0o644, owner)
  if (memory.ok) log.info(`memory caps: ${memory.path} (cgroup v${memory.version}${memory.by === 'systemd' ? ", delegated by systemd to the emperor's unit" : `, owned by ${o.user}`})`)
  else log.warn(`memory caps (PIKU_MEMORY_MAX) cannot be enforced on this host: ${memory.reason}`)
  writeFile(paths.emperorIni, renderEmperorIni(template('uwsgi', 'emperor.ini'), o), 0o644, owner)
  writeFile(paths.renewVassal, renderRenewVassal(template('uwsgi', 'renew.ini'), o, process.execPath, toolkitRoot()), 0o600, owner)
  log.info(`wrote ${paths.settings} and ${paths.emperorIni}`)
  log.info(`wrote ${paths.renewVassal} (daily certificate renewal)`)

  const nginxConf = `/etc/nginx/conf.d/piku-hooks-${o.user}.conf`
  writeNginxHostConf(nginxConf, renderHostConf(template('nginx', 'host.conf'), o))
  writeSudoers(`/etc/sudoers.d/piku-hooks-${o.user}`, renderSudoers(o))
  log.info(`wrote ${nginxConf} and /etc/sudoers.d/piku-hooks-${o.user}`)

  if (existsSync('/run/systemd/system')) {
    const unit = `/etc/systemd/system/piku-hooks-emperor-${o.user}.service`
    writeFile(unit, renderEmperorUnit(template('systemd', 'piku-hooks-emperor.service'), o, process.execPath, toolkitRoot()), 0o644)
    log.info(`wrote ${unit}`)
  }
  await authorizeKeys(o, owner)
}
