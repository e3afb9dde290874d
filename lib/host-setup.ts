// host-setup: install.sh's root-side renderer. Makes the user's memory cgroup subtree, writes host.env, the uwsgi
// emperor ini, the nginx host server, the sudoers rule (and the systemd unit where systemd runs), then authorizes
// the given admin keys.
// Usage: node host-setup.js --user NAME --home DIR --http-port N --https-port N [--listen ADDR]... [--domain D] [--key FILE]...
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { UserError, unwrap } from './errors.js'
import { parseHostArgs, type HostOptions } from './parse/host-options.js'
import { addKey, planKeyName, parsePublicKey, readKeyRecords, writeFetchAccess } from './state/keys.js'
import * as log from './log.js'
import { hostPaths, templatePath, toolkitRoot } from './state/paths.js'
import { setupMemorySubtree } from './host/cgroups.js'
import { renderEmperorIni, renderEmperorUnit, renderHostConf, renderHostEnv, renderRenewVassal, renderSudoers } from './render/host.js'

function tempBeside(file: string): string {
  // a dot and no .conf suffix: neither nginx's conf.d/*.conf nor sudo's includedir picks it up
  return join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`)
}

function writeFile(file: string, text: string, mode: number, owner?: { uid: number; gid: number }): void {
  const tmp = tempBeside(file)
  writeFileSync(tmp, text, { mode })
  chmodSync(tmp, mode)
  if (owner) chownSync(tmp, owner.uid, owner.gid)
  renameSync(tmp, file)
}

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    return { ok: true, output: '' }
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string }
    return { ok: false, output: (err.stderr?.toString() || err.stdout?.toString() || err.message).trim() }
  }
}

/** Put the nginx host server in place, then check the whole live config; on failure restore what was there. */
function writeNginxHostConf(file: string, text: string): void {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined
  if (previous === text) return
  writeFile(file, text, 0o644)
  const check = run('nginx', ['-t', '-q'])
  if (check.ok) return
  if (previous === undefined) rmSync(file, { force: true })
  else writeFile(file, previous, 0o644)
  throw new UserError(`nginx rejects ${file}:\n${check.output}`)
}

function writeSudoers(file: string, text: string): void {
  const tmp = tempBeside(file)
  writeFileSync(tmp, text, { mode: 0o440 })
  chmodSync(tmp, 0o440)
  const check = run('visudo', ['-cf', tmp])
  if (!check.ok) {
    rmSync(tmp, { force: true })
    throw new UserError(`visudo rejects the sudoers rule for ${file}: ${check.output}`)
  }
  renameSync(tmp, file)
}

function authorizeKeys(o: HostOptions, owner: { uid: number; gid: number }): void {
  const paths = hostPaths(o.home)
  for (const file of o.keys) {
    if (!existsSync(file)) throw new UserError(`--key: no such file: ${file}`)
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
    for (const line of lines) {
      const k = unwrap(parsePublicKey(line))
      const name = planKeyName(k.comment, basename(file).replace(/\.pub$/, ''), readKeyRecords(o.home).map((r) => r.name))
      const added = unwrap(addKey(o.home, name, 'admin', line))
      log.info(added.added ? `key ${added.name} authorized (admin)` : `key ${added.name} already authorized`)
    }
  }
  writeFetchAccess(o.home)
  for (const f of [join(o.home, '.ssh'), paths.authorizedKeys, paths.config, paths.keysDb, paths.keysFetch]) {
    if (existsSync(f)) chownSync(f, owner.uid, owner.gid)
  }
}

export function runHostSetup(argv: string[]): void {
  const o = unwrap(parseHostArgs(argv))
  if (!existsSync(o.home)) throw new UserError(`${o.home} does not exist: create the user first`)
  const { uid, gid } = statSync(o.home) // install.sh made it NAME:www-data
  const owner = { uid, gid }
  const paths = hostPaths(o.home)
  const template = (...p: string[]) => readFileSync(templatePath(...p), 'utf8')

  const memory = setupMemorySubtree(o.user, owner)
  writeFile(paths.settings, renderHostEnv({ ...o, memoryCgroup: memory.ok ? memory.path : undefined }), 0o644, owner)
  if (memory.ok) log.info(`memory caps: ${memory.path} (cgroup v${memory.version}${memory.by === 'systemd' ? ', delegated by systemd to the emperor\'s unit' : `, owned by ${o.user}`})`)
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
  authorizeKeys(o, owner)
}

try {
  runHostSetup(process.argv.slice(2))
} catch (e) {
  log.error(e instanceof Error ? e.message : String(e))
  process.exitCode = e instanceof UserError ? e.exitCode : 2
}
