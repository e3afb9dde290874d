// render/launcher: the sh script uwsgi starts for a worker. The Procfile command is the one user string
// meant for a shell; every environment value is single-quoted here, so it stays data.
import { shellQuote } from './quote.js'

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface LauncherSpec {
  title: string
  cwd: string
  env: Record<string, string>
  command: string
  /** Run the command in its own session and stop the whole group on TERM (long-running workers). */
  supervise: boolean
}

export function renderEnvExports(env: Record<string, string>): string {
  const lines: string[] = []
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_KEY.test(k)) throw new Error(`unsafe environment name: ${JSON.stringify(k)}`)
    if (v.includes('\0')) throw new Error(`environment value of ${k} contains a NUL byte`)
    lines.push(`export ${k}=${shellQuote(v)}`)
  }
  return lines.join('\n')
}

export function renderLauncher(s: LauncherSpec): string {
  const head = [
    '#!/bin/sh',
    `# piku-hooks launcher: ${s.title.replace(/[\r\n]/g, ' ')} (generated)`,
    `cd ${shellQuote(s.cwd)} || exit 1`,
    renderEnvExports(s.env),
  ]
  const body = s.supervise
    ? [
        `setsid /bin/sh -c ${shellQuote(s.command)} &`,
        'child=$!',
        `trap 'kill -TERM "-$child" 2>/dev/null; wait "$child"; exit 143' TERM INT HUP`,
        'wait "$child"',
      ]
    : [`exec /bin/sh -c ${shellQuote(s.command)}`]
  return [...head, ...body].join('\n') + '\n'
}
