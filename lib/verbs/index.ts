// verbs/index: the verb table. Name -> summary, usage, the role it needs, and a lazy import.
// Nothing here runs at import time; a verb's module is loaded only when it is called.

export type Role = 'admin' | 'deploy' | 'read'

export interface VerbContext {
  key: string // the key's name from authorized_keys, or 'local' for the host's own admin
  role: Role
  keyApps: string[] // apps a non-admin key may use
}

export interface VerbModule {
  run(ctx: VerbContext, args: string[]): Promise<number>
}

export interface Verb {
  name: string
  usage: string // one-line example, shown by help
  summary: string
  role: Role // the least role that may call it
  app: boolean // first argument is an app name
  load: () => Promise<VerbModule>
}

const v = (name: string, usage: string, summary: string, role: Role, app: boolean, load: () => Promise<VerbModule>): Verb => ({ name, usage, summary, role, app, load })

export const VERBS: Verb[] = [
  v('apps', 'apps [--json]', 'list apps and whether each is running', 'read', false, () => import('./apps.js')),
  v('help', 'help', 'this list', 'read', false, () => import('./help.js')),
]

export function findVerb(name: string): Verb | undefined {
  return VERBS.find((x) => x.name === name)
}

export function renderHelp(): string {
  const width = Math.max(...VERBS.map((x) => x.usage.length))
  return ['Usage: ssh USER@HOST VERB [ARGS]', '', ...VERBS.map((x) => `  ${x.usage.padEnd(width)}  ${x.summary}`), ''].join('\n')
}
