// backup: one app as one gzip tar (manifest.json first, keys.json, auth.htpasswd when the app has basic-auth
// users, then repos/APP, config/APP/{ENV,SCALING}, data/APP as they lie under the user's home), and the checks
// a restore makes before anything moves.
import { fail, ok, type Result } from '../errors.js'

export const BACKUP_FORMAT = 'piku-hooks-backup'
export const BACKUP_VERSION = 1
export const CONFIG_FILES = ['ENV', 'SCALING', 'redis.json'] as const
/** The app's basic-auth users (auth/APP.htpasswd on the host), a top-level member beside keys.json. */
export const AUTH_MEMBER = 'auth.htpasswd'
/** The app's PostgreSQL database as pg_dump's custom format (postgres:create), a top-level member too. */
export const DATABASE_MEMBER = 'postgres.dump'

export interface BackupManifest {
  format: typeof BACKUP_FORMAT
  version: number
  app: string
  created: string
  branch?: string // the ref the repo's HEAD names (the one restore deploys)
  release?: string // the live release when the backup was made
}

/** Keys (by fingerprint) that were granted this app; admin keys reach every app and are not listed. */
export interface BackupKey {
  name: string
  role: string
  fingerprint: string
}

const APP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export function renderManifest(m: BackupManifest): string {
  return JSON.stringify(m, null, 2) + '\n'
}

/** Check a manifest: ours, a version we read, an app name we accept. */
export function parseManifest(text: string): Result<BackupManifest> {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    // pure parsing: JSON.parse fails only with a SyntaxError
    return fail('manifest.json is not JSON: this is not a piku-hooks backup')
  }
  const m = v as Partial<BackupManifest> | null
  if (!m || typeof m !== 'object' || m.format !== BACKUP_FORMAT) return fail(`manifest.json does not say format "${BACKUP_FORMAT}": this is not a piku-hooks backup`)
  if (m.version !== BACKUP_VERSION) return fail(`backup format version ${String(m.version)} is not one this toolkit reads (it reads ${BACKUP_VERSION}); upgrade piku-hooks here`)
  if (typeof m.app !== 'string' || !APP.test(m.app)) return fail('manifest.json names no valid app')
  return ok(m as BackupManifest)
}

export function parseBackupKeys(text: string): Result<BackupKey[]> {
  try {
    const v = JSON.parse(text) as unknown
    if (!Array.isArray(v)) return fail('keys.json: expected a list')
    const keys: BackupKey[] = []
    for (const k of v as Partial<BackupKey>[]) {
      if (typeof k?.name !== 'string' || typeof k.role !== 'string' || typeof k.fingerprint !== 'string') return fail('keys.json: every entry needs name, role and fingerprint')
      keys.push({ name: k.name, role: k.role, fingerprint: k.fingerprint })
    }
    return ok(keys)
  } catch {
    // pure parsing: only JSON.parse can throw here, and only a SyntaxError
    return fail('keys.json is not JSON')
  }
}

/** A line of `tar -tv` output: its type letter, name, and a symlink's target. */
export interface ArchiveMember {
  type: string // '-' file, 'd' directory, 'l' symlink, 'h' hard link, ...
  name: string
  linkTarget?: string
}

/** Parse GNU `tar -tzv` lines: `drwx------ user/group 0 2024-01-01 12:00 name[ -> target]`. */
export function parseTarListing(text: string): ArchiveMember[] {
  const members: ArchiveMember[] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    const m = /^(\S)\S{9}\S*\s+\S+\s+[\d,]+\s+\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\s(.*)$/.exec(line)
    if (!m) {
      members.push({ type: '?', name: line })
      continue
    }
    const [, type, rest] = m
    if (type === 'l') {
      const at = rest.indexOf(' -> ')
      members.push({ type, name: at < 0 ? rest : rest.slice(0, at), linkTarget: at < 0 ? '' : rest.slice(at + 4) })
    } else if (type === 'h') {
      const at = rest.indexOf(' link to ')
      members.push({ type, name: at < 0 ? rest : rest.slice(0, at), linkTarget: at < 0 ? '' : rest.slice(at + 9) })
    } else members.push({ type, name: rest })
  }
  return members
}

/**
 * Every member must stay inside the layout of one app's backup: manifest.json (first), keys.json,
 * auth.htpasswd, repos/SRC/..., config/SRC/ENV|SCALING, data/SRC/... No absolute names, no `..`, no hard links or
 * devices, nothing below a symlink of the archive. Returns the app name the archive holds.
 */
export function validateMembers(members: ArchiveMember[]): Result<string> {
  if (members.length === 0) return fail('the archive is empty: this is not a piku-hooks backup')
  const first = members[0].name.replace(/^\.\//, '')
  if (first !== 'manifest.json') return fail('the archive does not start with manifest.json: this is not a piku-hooks backup')
  let src: string | undefined
  const links = members.filter((m) => m.type === 'l').map((m) => m.name.replace(/^\.\//, '').replace(/\/$/, ''))
  for (const m of members) {
    const name = m.name.replace(/^\.\//, '').replace(/\/$/, '')
    const where = `archive member ${JSON.stringify(m.name.slice(0, 120))}`
    if (m.type === '?') return fail(`${where}: unreadable listing line`)
    if (name.startsWith('/') || name.split('/').some((part) => part === '..' || part === '')) return fail(`${where}: leaves the backup's folder; refused`)
    if (!['-', 'd', 'l'].includes(m.type)) return fail(`${where}: ${m.type === 'h' ? 'hard links' : 'devices, fifos and sockets'} are not allowed in a backup`)
    if (links.some((l) => name.startsWith(l + '/'))) return fail(`${where}: lies below a symlink of the archive; refused`)
    if (name === 'manifest.json' || name === 'keys.json' || name === AUTH_MEMBER || name === DATABASE_MEMBER) {
      if (m.type !== '-') return fail(`${where}: must be a plain file`)
      continue
    }
    const [top, app, ...rest] = name.split('/')
    if (!['repos', 'config', 'data'].includes(top)) return fail(`${where}: not part of a piku-hooks backup (expected repos/, config/ or data/)`)
    if (app === undefined) {
      if (m.type !== 'd') return fail(`${where}: must be a folder`)
      continue
    }
    if (!APP.test(app)) return fail(`${where}: not an app folder`)
    if (src !== undefined && app !== src) return fail(`${where}: holds a second app ("${app}" beside "${src}"); one backup is one app`)
    src = app
    if (top === 'config' && rest.length > 0 && !(rest.length === 1 && (CONFIG_FILES as readonly string[]).includes(rest[0]) && m.type === '-')) {
      return fail(`${where}: config/ holds only ${CONFIG_FILES.join(', ')}`)
    }
    if ((top === 'repos' || top === 'config') && rest.length === 0 && m.type !== 'd') return fail(`${where}: must be a folder`)
  }
  if (src === undefined) return fail('the archive holds no app (no repos/APP): this is not a piku-hooks backup')
  if (!members.some((m) => m.name.replace(/^\.\//, '').replace(/\/$/, '') === `repos/${src}/HEAD`)) return fail(`the archive has no git repository for "${src}" (repos/${src}/HEAD is missing)`)
  return ok(src)
}
