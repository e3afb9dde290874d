// database-setup: install.sh --with postgres's root step for one piku user: PostgreSQL sized for this host and
// listening on loopback only (conf.d/piku-hooks.conf), pg_hba lines that keep the piku role on the local
// socket and each app role in its own database, the cluster started (no systemd: pg_ctlcluster), and the
// piku role (CREATEROLE CREATEDB, no superuser, peer login) with the group role of its apps. Idempotent:
// a re-run changes only what differs and restarts the cluster only when its sizing changed.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { appsGroupRole, parseClusters, planPgHba, validateUserName } from '../parse/database.js'
import { planPostgresSizing, renderPostgresConf } from '../render/database-conf.js'
import { clusterConfigDir, readClusterList, runPgCtlCluster, runSql } from '../host/postgres.js'
import { writeFileAtomic } from '../host/atomic-file.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'

/** Write `path` when its text differs, keeping its owner; whether it changed. */
function writeIfChanged(path: string, text: string, mode: number): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false
  const owner = existsSync(path) ? { uid: statSync(path).uid, gid: statSync(path).gid } : undefined
  writeFileAtomic(path, text, mode, owner ? { owner } : {})
  return true
}

export async function setupPostgres(user: string): Promise<void> {
  if (!validateUserName(user).ok) throw new UserError(`--user: invalid user name ${JSON.stringify(user)}`)
  const clusters = parseClusters(await readClusterList())
  const cluster = clusters.find((c) => c.port === 5432) ?? clusters[0]
  if (!cluster) throw new UserError('PostgreSQL has no cluster here (pg_lsclusters lists none): as root, pg_createcluster --start 15 main')
  const dir = clusterConfigDir(cluster.version, cluster.name)
  const sizing = planPostgresSizing(totalmem(), cpus().length)
  const confChanged = writeIfChanged(join(dir, 'conf.d', 'piku-hooks.conf'), renderPostgresConf(sizing), 0o644)
  const hbaFile = join(dir, 'pg_hba.conf')
  const hbaChanged = writeIfChanged(hbaFile, planPgHba(readFileSync(hbaFile, 'utf8'), user), 0o640)
  const what = `PostgreSQL ${cluster.version}/${cluster.name}`
  const action = !cluster.running ? 'start' : confChanged ? 'restart' : hbaChanged ? 'reload' : undefined
  if (action) {
    const r = await runPgCtlCluster(cluster.version, cluster.name, action)
    if (r.code !== 0) throw new UserError(`pg_ctlcluster ${cluster.version} ${cluster.name} ${action} failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`)
    log.step(`${what}: ${action === 'start' ? 'started' : action === 'restart' ? 'restarted with the new sizing' : 'reloaded pg_hba.conf'}`)
  }
  const roles = await runSql({ database: 'postgres', osUser: 'postgres' }, [
    "SELECT format('CREATE ROLE %I', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \\gexec",
    'ALTER ROLE :"user" LOGIN CREATEDB CREATEROLE NOSUPERUSER NOREPLICATION NOBYPASSRLS PASSWORD NULL;',
    "SELECT format('CREATE ROLE %I NOLOGIN', :'group') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'group') \\gexec",
  ].join('\n'), { user, group: appsGroupRole(user) })
  if (roles.code !== 0) throw new UserError(`creating the PostgreSQL role ${user} failed: ${roles.stderr.trim().split('\n')[0]}`)
  log.step(`${what} on 127.0.0.1:${cluster.port}: shared_buffers ${sizing.sharedBuffersMb}MB, max_connections ${sizing.maxConnections}; role ${user} (local socket only) makes each app's database`)
}
