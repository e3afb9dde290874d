// admin-verbs: the host's own verbs, one executable per verb in ~/verbs/NAME (offered as
// `ssh USER@HOST NAME ARGS...`). A built-in verb always wins over a file of the same name. The script runs
// as the user with its arguments as argv (never through a shell), the client's stdin, stdout and stderr,
// and its exit status as ours; `#!/usr/bin/env zx` finds the toolkit's zx first on PATH.
import { accessSync, closeSync, constants, openSync, readSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { hostPaths, toolkitRoot } from './paths.js'
import { VERB_NAME, parseVerbHeader, type VerbHeader } from '../parse/verb-header.js'
import { UserError, isErrno } from '../errors.js'

export interface AdminVerb extends VerbHeader {
  name: string
  file: string
}

function readHead(file: string, bytes = 4096): string {
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false
    accessSync(file, constants.X_OK)
    return true
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES')) throw e // missing, or not executable (EACCES from access)
    return false
  }
}

/** ~/verbs/NAME when it is an executable file; a bad header is an error naming its line. */
export function findAdminVerb(name: string): AdminVerb | undefined {
  if (!VERB_NAME.test(name)) return undefined
  const file = join(hostPaths().verbs, name)
  if (!isExecutableFile(file)) return undefined
  const header = parseVerbHeader(readHead(file), `~/verbs/${name}`)
  if (!header.ok) throw new UserError(header.errors[0])
  return { name, file, ...header.value }
}

/** Every admin verb for `help` (names a built-in has are left out, as they never run). */
export function listAdminVerbs(isBuiltIn: (name: string) => boolean): { name: string; role: string; help: string }[] {
  let names: string[]
  try {
    names = readdirSync(hostPaths().verbs).sort()
  } catch (e) {
    if (!isErrno(e, 'ENOENT', 'ENOTDIR')) throw e // no ~/verbs: no admin verbs
    return []
  }
  const out = []
  for (const name of names) {
    if (!VERB_NAME.test(name) || isBuiltIn(name) || !isExecutableFile(join(hostPaths().verbs, name))) continue
    const header = parseVerbHeader(readHead(join(hostPaths().verbs, name)), `~/verbs/${name}`)
    out.push(header.ok ? { name, ...header.value } : { name, role: 'admin', help: `(not offered: ${header.errors[0]})` })
  }
  return out
}

/** Run the verb with `args` as its argv; resolves with its exit status (128+N when a signal ended it). */
export async function runAdminVerb(verb: AdminVerb, args: string[], env: Record<string, string>): Promise<number> {
  const { runAttached } = await import('../host/run.js')
  const base: Record<string, string> = {
    PATH: `${join(toolkitRoot(), 'node_modules', '.bin')}:${process.env.PATH || '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: hostPaths().root,
  }
  for (const k of ['USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TERM', 'PIKU_ROOT']) if (process.env[k]) base[k] = process.env[k]!
  try {
    return (await runAttached(verb.file, args, { cwd: hostPaths().root, env: { ...base, ...env } })).code
  } catch (e) {
    throw new UserError(`~/verbs/${verb.name}: could not start it: ${(e as Error).message}`)
  }
}
