// redis:info: the app's Redis: port, data folder, whether it answers, keys and memory (never the password).
import { UserError } from '../errors.js'
import * as log from '../log.js'
import type { VerbContext } from './index.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const { parseNoArgs, parseRedisInfo } = await import('../parse/database.js')
  const parsed = parseNoArgs('redis:info', rest, true)
  if (!parsed.ok) throw new UserError(parsed.errors[0])
  const { requireRedis, runRedisCli } = await import('../deploy/databases.js')
  const { appPaths } = await import('../state/paths.js')
  const record = requireRedis('redis:info', app)
  const r = await runRedisCli(app, record, ['--no-auth-warning', 'info'], true)
  const info = { app, host: '127.0.0.1', port: record.port, data: appPaths(app).redisDir, ...parseRedisInfo(r.code === 0 ? r.stdout : '') }
  if (parsed.value.json) log.json(info)
  else {
    log.outLine([
      `port:    127.0.0.1:${info.port} (password in the app's config: REDIS_URL)`,
      `data:    ${info.data} (append-only file, fsync every second)`,
      `running: ${info.running ? `yes (Redis ${info.version}, pid ${info.pid})` : 'no (it runs with the app: deploy or restart starts it)'}`,
      ...(info.running ? [`keys:    ${info.keys}`, `memory:  ${info.memory}`] : []),
    ].join('\n'))
  }
  return 0
}
