// hooks: what an app runs that an admin may change on the host: its git hooks and templates (each stock,
// an older stock version, or edited, and whether a newer stock version waits beside an edit), and the
// pre-receive.d / post-receive.d scripts that run for it (host-wide first), in the order they run.
import { UserError } from '../errors.js'
import { appPaths, displayPath, hostPaths } from '../state/paths.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export interface HooksReport {
  app: string
  files: { path: string; status: string; behind: boolean; file: string }[]
  scripts: { hook: string; scope: 'host' | 'app'; file: string }[]
}

export async function readHooks(app: string): Promise<HooksReport> {
  const { readCopies } = await import('../state/stock.js')
  const { listHookScripts } = await import('../deploy/hook-scripts.js')
  const files = readCopies(app).map((c) => ({ path: c.path, status: c.status, behind: c.behind, file: displayPath(c.file) }))
  const scripts: HooksReport['scripts'] = []
  for (const hook of ['pre-receive', 'post-receive'] as const) {
    for (const f of listHookScripts(hook, app)) {
      const host = f.startsWith(hostPaths().hooks + '/')
      scripts.push({ hook, scope: host ? 'host' : 'app', file: host ? `~/${displayPath(f)}` : displayPath(f) })
    }
  }
  return { app, files, scripts }
}

const STATUS: Record<string, string> = {
  stock: 'stock',
  'old-stock': 'stock (an older version: the next push refreshes it)',
  edited: 'edited',
  missing: 'missing (the next push writes it)',
}

export function renderHooks(r: HooksReport): string {
  const w = Math.max(...r.files.map((f) => f.path.length), ...r.scripts.map((s) => s.file.length))
  const lines = [`${r.app}: ${displayPath(appPaths(r.app).repo)}/`]
  for (const f of r.files) {
    lines.push(`  ${f.path.padEnd(w)}  ${STATUS[f.status]}${f.behind ? `; the stock version changed since: compare with ${f.path}.stock` : ''}`)
  }
  lines.push('', r.scripts.length ? 'scripts, in the order they run:' : 'no pre-receive.d or post-receive.d scripts (see the README: Customising an app on the host)')
  for (const s of r.scripts) lines.push(`  ${s.file.padEnd(w)}  ${s.hook}.d, ${s.scope === 'host' ? 'every app' : 'this app'}`)
  return lines.join('\n') + '\n'
}

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const [app, ...rest] = args
  const json = rest.length === 1 && rest[0] === '--json'
  if (rest.length > 0 && !json) throw new UserError('usage: hooks APP [--json]')
  const report = await readHooks(app)
  if (json) log.json(report)
  else log.out(renderHooks(report))
  return 0
}
