// render/jwsgi: the part of a `jwsgi:` vassal that comes from the app's copy of templates/uwsgi/jwsgi.ini
// (filled, then checked line by line as any uwsgi include is), and the envdir its uwsgi master loads the app's
// environment from (one file per variable, read verbatim: values never pass through uwsgi's config reader).
import type { Result } from '../errors.js'
import { renderTemplate } from './template.js'
import { parseUwsgiInclude, type VassalOption } from './uwsgi.js'

export const JWSGI_TEMPLATE = 'jwsgi.ini'

export interface JwsgiValues {
  port: number
  processes: number
  threads: number
  maxRequests: number
  listen: number
  envDir: string
  classpath: string[] // absolute paths, already checked (parse/jvm.ts)
  entry: string // CLASS:METHOD with slashes (parse/jvm.ts parseJwsgiEntry)
}

/** The jwsgi options from the template text; `file` names it in errors (an admin's edit can break a line). */
export function renderJwsgiOptions(template: string, v: JwsgiValues, file: string): Result<VassalOption[]> {
  const text = renderTemplate(template, {
    PORT: String(v.port),
    PROCESSES: String(v.processes),
    THREADS: String(v.threads),
    MAX_REQUESTS: String(v.maxRequests),
    LISTEN: String(v.listen),
    ENV_DIR: v.envDir,
    CLASSPATH: v.classpath.join(':'),
    ENTRY: v.entry,
  })
  return parseUwsgiInclude(text, file)
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * The envdir of a jwsgi worker: file name -> content. uwsgi's envdir reader strips trailing whitespace, stops
 * at a NUL and unsets a variable whose file is empty, so a value it would change (a line break, trailing
 * space) is refused with its name, and an empty value is left out (unset, as uwsgi would).
 */
export function planEnvDir(env: Record<string, string>): Result<Record<string, string>> {
  const files: Record<string, string> = {}
  const errors: string[] = []
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_KEY.test(k)) errors.push(`environment name ${JSON.stringify(k)} cannot be passed to a jwsgi worker (letters, digits and _ only)`)
    else if (/[\n\r\0]/.test(v) || /\s$/.test(v)) errors.push(`${k}: a jwsgi worker cannot receive a value with a line break or trailing whitespace (uwsgi's envdir drops them); change the value or run the app as web:`)
    else if (v !== '') files[k] = v
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: files }
}
