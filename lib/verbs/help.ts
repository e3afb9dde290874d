// help: every verb, one line each, from the verb table; then the host's own verbs (~/verbs) with their
// `# help:` lines.
import { findVerb, renderHelp, type VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, _args: string[]): Promise<number> {
  log.out(renderHelp())
  const { listAdminVerbs } = await import('../state/admin-verbs.js')
  const own = listAdminVerbs((name) => findVerb(name) !== undefined || name.startsWith('git-'))
  if (own.length) {
    const width = Math.max(...own.map((v) => v.name.length + (v.role === 'admin' ? 0 : 4)))
    const lines = own.map((v) => `  ${(v.role === 'admin' ? v.name : `${v.name} APP`).padEnd(width)}  ${v.help || '(no "# help:" line)'}${v.role === 'admin' ? '' : ` [${v.role}]`}`)
    log.out(['This host\'s own verbs (~/verbs):', ...lines, ''].join('\n'))
  }
  return 0
}
