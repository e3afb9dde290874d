// render/database-conf: the PostgreSQL settings sized for a small host (conf.d/piku-hooks.conf) and an app's
// redis.conf. Pure: memory and paths in, file text out.

import { shellQuote } from './quote.js'

const MIB = 1024 * 1024
const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.floor(v)))

export interface PostgresSizing {
  sharedBuffersMb: number
  maxConnections: number
  workMemMb: number
  maintenanceWorkMemMb: number
  effectiveCacheSizeMb: number
  maxWalSizeMb: number
  parallelWorkers: number
}

/** Sizes from the machine's memory and cores: a 512 MB Pi gets 32 MB of shared buffers and 20 connections,
 *  1 GB 64 MB and 32, 4 GB and more 256 MB and 100 (PostgreSQL's defaults assume a dedicated server). */
export function planPostgresSizing(memoryBytes: number, cpus: number): PostgresSizing {
  const mb = Math.max(64, memoryBytes / MIB)
  const maxConnections = clamp(mb / 32, 20, 100)
  return {
    sharedBuffersMb: clamp(mb / 16, 16, 256),
    maxConnections,
    workMemMb: clamp(mb / 4 / maxConnections, 1, 16),
    maintenanceWorkMemMb: clamp(mb / 32, 16, 256),
    effectiveCacheSizeMb: clamp(mb / 2, 64, 8192),
    maxWalSizeMb: clamp(mb / 4, 128, 1024),
    parallelWorkers: cpus > 2 ? 2 : 0,
  }
}

export function renderPostgresConf(s: PostgresSizing): string {
  return [
    '# piku-hooks: PostgreSQL sized for this host (written by install.sh --with postgres; re-run it to resize)',
    "listen_addresses = '127.0.0.1'   # loopback and the local socket only",
    "password_encryption = 'scram-sha-256'",
    `max_connections = ${s.maxConnections}`,
    `shared_buffers = ${s.sharedBuffersMb}MB`,
    `work_mem = ${s.workMemMb}MB`,
    `maintenance_work_mem = ${s.maintenanceWorkMemMb}MB`,
    `effective_cache_size = ${s.effectiveCacheSizeMb}MB`,
    `max_wal_size = ${s.maxWalSizeMb}MB`,
    `max_parallel_workers_per_gather = ${s.parallelWorkers}`,
    'autovacuum_max_workers = 2',
    'jit = off                         # LLVM in every backend costs memory a small host lacks',
    '',
  ].join('\n')
}

const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/

export interface RedisConfSpec {
  dir: string // the data folder: the append-only files live here
  port: number
  password: string
}

/** An app's redis.conf: loopback port, password, append-only file synced every second, no snapshots. */
export function renderRedisConf(s: RedisConfSpec): string {
  if (!SAFE_PATH.test(s.dir) || s.dir.includes('..')) throw new Error(`redis dir: unsafe path ${JSON.stringify(s.dir)}`)
  if (!/^[A-Za-z0-9]{16,128}$/.test(s.password)) throw new Error('redis password: letters and digits only')
  if (!Number.isInteger(s.port) || s.port < 1024 || s.port > 65535) throw new Error(`redis port: ${s.port}`)
  return [
    '# piku-hooks: this app\'s Redis (written at each deploy from config/APP/redis.json; edits are replaced)',
    'bind 127.0.0.1',
    `port ${s.port}`,
    'protected-mode yes',
    `requirepass ${s.password}`,
    `dir ${s.dir}`,
    'appendonly yes',
    'appendfsync everysec',
    'aof-load-truncated yes',
    'save ""',
    'daemonize no',
    'logfile ""',
    'databases 16',
    '',
  ].join('\n')
}

/** The command of an app's Redis instance: wait while the previous activation's Redis still answers on the port
 *  (a new activation starts beside the old one, which stops after the switch; two Redis on one append-only file
 *  must never run), then become redis-server. */
export function renderRedisCommand(conf: string, port: number): string {
  if (!Number.isInteger(port) || port < 1024 || port > 65535) throw new Error(`redis port: ${port}`)
  return `while redis-cli -h 127.0.0.1 -p ${port} ping >/dev/null 2>&1; do sleep 0.2; done; exec redis-server ${shellQuote(conf)}`
}
