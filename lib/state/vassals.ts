// vassals: which uwsgi vassal files an app has (a small module, so `apps` loads nothing else).
import { existsSync, readdirSync } from 'node:fs'
import { hostPaths, vassalPrefix } from './paths.js'

/** The app's vassal files (`APP@TOKEN@KIND.N.ini`); `@` is not allowed in app names, so no other app's match. */
export function vassalFiles(app: string): string[] {
  const dir = hostPaths().vassals
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((f) => f.startsWith(vassalPrefix(app)) && f.endsWith('.ini'))
}
