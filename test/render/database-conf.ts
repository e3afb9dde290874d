import t from 'tap'
import { planPostgresSizing, renderPostgresConf, renderRedisCommand, renderRedisConf } from '../../lib/render/database-conf.js'

t.snapshotFile = new URL('../fixtures/snapshots/render/database-conf.cjs', import.meta.url).pathname

const MB = 1024 * 1024

t.test('planPostgresSizing: from the machine memory, within bounds', async (t) => {
  t.same(planPostgresSizing(512 * MB, 1), { sharedBuffersMb: 32, maxConnections: 20, workMemMb: 6, maintenanceWorkMemMb: 16, effectiveCacheSizeMb: 256, maxWalSizeMb: 128, parallelWorkers: 0 })
  t.same(planPostgresSizing(1024 * MB, 4), { sharedBuffersMb: 64, maxConnections: 32, workMemMb: 8, maintenanceWorkMemMb: 32, effectiveCacheSizeMb: 512, maxWalSizeMb: 256, parallelWorkers: 2 })
  const big = planPostgresSizing(64 * 1024 * MB, 8)
  t.equal(big.sharedBuffersMb, 256)
  t.equal(big.maxConnections, 100)
  t.equal(big.workMemMb, 16)
  t.equal(big.effectiveCacheSizeMb, 8192)
  const tiny = planPostgresSizing(0, 1)
  t.equal(tiny.sharedBuffersMb, 16)
  t.equal(tiny.workMemMb, 1)
})

t.test('renderPostgresConf: loopback only, scram, the sizes', async (t) => {
  const text = renderPostgresConf(planPostgresSizing(512 * MB, 1))
  t.match(text, /^listen_addresses = '127\.0\.0\.1'/m)
  t.match(text, /^password_encryption = 'scram-sha-256'$/m)
  t.match(text, /^shared_buffers = 32MB$/m)
  t.match(text, /^max_connections = 20$/m)
  t.match(text, /^jit = off/m)
})

t.test('renderRedisConf: loopback, password, append-only every second, no snapshots', async (t) => {
  const text = renderRedisConf({ dir: '/home/piku/data/app/redis', port: 21000, password: 'abc123abc123abc123' })
  t.matchSnapshot(text)
  t.match(text, /^bind 127\.0\.0\.1$/m)
  t.match(text, /^appendonly yes$/m)
  t.match(text, /^appendfsync everysec$/m)
  t.match(text, /^save ""$/m)
  t.throws(() => renderRedisConf({ dir: '/home/a b', port: 21000, password: 'abc123abc123abc123' }), /unsafe path/)
  t.throws(() => renderRedisConf({ dir: '/home/../etc', port: 21000, password: 'abc123abc123abc123' }), /unsafe path/)
  t.throws(() => renderRedisConf({ dir: '/x', port: 21000, password: 'x y' }), /password/)
  t.throws(() => renderRedisConf({ dir: '/x', port: 80, password: 'abc123abc123abc123' }), /port/)
})

t.test('renderRedisCommand: waits while the previous Redis answers on the port, then execs redis-server', async (t) => {
  t.equal(
    renderRedisCommand("/home/piku/data/it's/redis/redis.conf", 21000),
    "while redis-cli -h 127.0.0.1 -p 21000 ping >/dev/null 2>&1; do sleep 0.2; done; exec redis-server '/home/piku/data/it'\\''s/redis/redis.conf'",
  )
  t.throws(() => renderRedisCommand('/x', 99999), /port/)
})
