// databases: the records of an app's Redis (config/APP/redis.json: port and password, written by redis:create,
// read by every deploy) and its redis.conf under DATA_ROOT; the one reader and writer of each.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { appPaths, hostPaths } from './paths.js'
import { parseRedisRecord, renderRedisRecord, type RedisRecord } from '../parse/database.js'
import { renderRedisConf } from '../render/database-conf.js'
import { validateAppName } from '../parse/app-name.js'
import { writeFileAtomic } from '../host/atomic-file.js'
import { UserError, isErrno } from '../errors.js'

/** The app's Redis record, or undefined when it has none (a damaged one is an error naming the file). */
export function readRedisRecord(app: string): RedisRecord | undefined {
  const file = appPaths(app).redisRecord
  if (!existsSync(file)) return undefined
  const r = parseRedisRecord(readFileSync(file, 'utf8'), `config/${app}/redis.json`)
  if (!r.ok) throw new UserError(r.errors[0])
  return r.value
}

export function writeRedisRecord(app: string, record: RedisRecord | undefined): void {
  const p = appPaths(app)
  if (!record) return rmSync(p.redisRecord, { force: true })
  mkdirSync(p.config, { recursive: true, mode: 0o700 })
  writeFileAtomic(p.redisRecord, renderRedisRecord(record), 0o600)
}

/** Write data/APP/redis/redis.conf from the record (each deploy does: a restored or renamed app gets its own). */
export function writeRedisConf(app: string, record: RedisRecord): string {
  const p = appPaths(app)
  mkdirSync(p.data, { recursive: true, mode: 0o700 })
  mkdirSync(p.redisDir, { recursive: true, mode: 0o700 })
  writeFileAtomic(p.redisConf, renderRedisConf({ dir: p.redisDir, port: record.port, password: record.password }), 0o600)
  return p.redisConf
}

/** The Redis ports of every app of the host, by app (a damaged record is skipped here). */
export function redisPorts(): Map<string, number> {
  const out = new Map<string, number>()
  const config = hostPaths().config
  if (!existsSync(config)) return out
  for (const app of readdirSync(config)) {
    if (!validateAppName(app).ok) continue
    try {
      const r = readRedisRecord(app)
      if (r) out.set(app, r.port)
    } catch (e) {
      if (!(e instanceof UserError) && !isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // damaged, or gone meanwhile: skipped
    }
  }
  return out
}
