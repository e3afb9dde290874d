// verb-header: the admin's own verbs (~/verbs/NAME): which names may be verbs, and what a script's header
// says about it. The header is the comment block at the top (after the #! line), `#` or `//` lines:
//   # role: read          (or deploy; admin when absent: read and deploy verbs take the app first)
//   # help: redeploy every app, one after the other
// Pure: text in, values or an error naming the file and line out.
import { type Result, ok, fail } from '../errors.js'
import type { Role } from './access.js'

/** Verb names as the built-in ones are spelt: `name` or `group:name`, lower case, digits and dashes. */
export const VERB_NAME = /^[a-z][a-z0-9-]{0,30}(:[a-z][a-z0-9-]{0,30})?$/

export interface VerbHeader {
  role: Role
  help: string
}

export function parseVerbHeader(text: string, file: string): Result<VerbHeader> {
  let role: Role = 'admin'
  let help = ''
  const lines = text.split('\n', 40)
  for (let i = lines[0]?.startsWith('#!') ? 1 : 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '') continue
    const comment = /^(#|\/\/)\s?(.*)$/.exec(line)
    if (!comment) break
    const field = /^(role|help)\s*:\s*(.*)$/i.exec(comment[2].trim())
    if (!field) continue
    const value = field[2].trim()
    if (field[1].toLowerCase() === 'help') help = value.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 200)
    else if (value === 'read' || value === 'deploy' || value === 'admin') role = value
    else return fail(`${file}:${i + 1}: role must be read, deploy or admin, not ${JSON.stringify(value.slice(0, 20))}`)
  }
  return ok({ role, help })
}
