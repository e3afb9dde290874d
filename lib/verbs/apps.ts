// apps: each app and whether it is running (`--json` for one JSON document).
import { existsSync, readdirSync } from 'node:fs'
import { hostPaths } from '../state/paths.js'
import { readActive, currentRelease } from '../state/release.js'
import { vassalFiles } from '../state/vassals.js'
import { readAppState } from '../state/app-state.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export interface AppStatus {
  name: string
  running: boolean
  release?: string
  maintenance: boolean // maintenance:on
}

export function listApps(): string[] {
  const repos = hostPaths().repos
  if (!existsSync(repos)) return []
  return readdirSync(repos)
    .filter((d) => existsSync(`${repos}/${d}/HEAD`))
    .sort()
}

export function appStatus(name: string): AppStatus {
  const active = readActive(name)
  // a static-only app has no workers: it runs when it is active (nginx serves it)
  const running = active !== undefined && (vassalFiles(name).length > 0 || Object.keys(active.ports).length === 0)
  return { name, running, release: currentRelease(name), maintenance: readAppState(name).maintenance !== undefined }
}

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const json = args.includes('--json')
  const extra = args.filter((a) => a !== '--json')
  if (extra.length) throw new UserError(`apps: unexpected argument "${extra[0]}"; usage: apps [--json]`)
  const names = listApps().filter((n) => ctx.role === 'admin' || ctx.keyApps.includes(n))
  const apps = names.map(appStatus)
  if (json) {
    process.stdout.write(JSON.stringify({ apps }, null, 2) + '\n')
    return 0
  }
  if (!apps.length) {
    process.stderr.write('There are no applications deployed.\n')
    return 0
  }
  for (const a of apps) process.stdout.write(`${a.running ? '*' : ' '} ${a.name}${a.release ? `  (${a.release})` : ''}${a.maintenance ? '  maintenance' : ''}\n`)
  return 0
}
