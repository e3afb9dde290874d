// refs: parse what git gives pre-receive and post-receive on stdin (`<old-sha> <new-sha> <ref>` per line).

import { type Result, ok } from '../errors.js'
import { parseEnvFile } from './env-file.js'

export type RefUpdate = {
  oldSha: string
  newSha: string
  ref: string
  /** The branch name for `refs/heads/...` refs. */
  branch?: string
  /** The ref did not exist before (old SHA is all zeros). */
  created: boolean
  /** The ref is being deleted (new SHA is all zeros). */
  deleted: boolean
}

const LINE = /^([0-9a-fA-F]{40}|[0-9a-fA-F]{64}) ([0-9a-fA-F]{40}|[0-9a-fA-F]{64}) (\S+)$/
const DEPLOY_BRANCHES = new Set(['refs/heads/main', 'refs/heads/master'])

/** Parse the ref-update lines; SHAs are lowercased; every bad line is reported. */
export function parseRefUpdates(stdin: string, source = 'ref updates'): Result<RefUpdate[]> {
  const errors: string[] = []
  const updates: RefUpdate[] = []
  stdin.split('\n').forEach((raw, i) => {
    const where = `${source}:${i + 1}`
    const line = raw.replace(/\r$/, '')
    if (line === '') return
    const m = LINE.exec(line)
    if (!m) {
      errors.push(`${where}: expected "<old-sha> <new-sha> <ref>" from git, got ${JSON.stringify(line.slice(0, 200))}`)
      return
    }
    const [, oldRaw, newRaw, ref] = m
    const oldSha = oldRaw.toLowerCase()
    const newSha = newRaw.toLowerCase()
    if (oldSha.length !== newSha.length) {
      errors.push(`${where}: the old and new object names have different lengths (${oldSha.length} and ${newSha.length})`)
      return
    }
    const created = /^0+$/.test(oldSha)
    const deleted = /^0+$/.test(newSha)
    if (created && deleted) {
      errors.push(`${where}: both object names are zero for ${ref}`)
      return
    }
    if (!isValidRef(ref)) {
      errors.push(`${where}: ${JSON.stringify(ref)} is not a ref name git would send`)
      return
    }
    const update: RefUpdate = { oldSha, newSha, ref, created, deleted }
    if (ref.startsWith('refs/heads/')) update.branch = ref.slice('refs/heads/'.length)
    updates.push(update)
  })
  if (errors.length > 0) return { ok: false, errors }
  return ok(updates)
}

/** True for the branch a push deploys: `refs/heads/BRANCH` when PIKU_DEPLOY_BRANCH names one, else
 *  `refs/heads/main` and `refs/heads/master`. */
export function isDeployBranch(ref: string, deployBranch?: string): boolean {
  return deployBranch ? ref === `refs/heads/${deployBranch}` : DEPLOY_BRANCHES.has(ref)
}

/** What a push should be told about the branches it deploys from. */
export function describeDeployBranch(deployBranch?: string): string {
  return deployBranch ? `${deployBranch} (PIKU_DEPLOY_BRANCH)` : 'main or master'
}

/** PIKU_DEPLOY_BRANCH: a branch name (`production`, `release/2`), as git would accept it; empty is unset. */
export function parseDeployBranch(value: string | undefined, where = 'PIKU_DEPLOY_BRANCH'): Result<string | undefined> {
  const v = (value ?? '').trim()
  if (v === '') return ok(undefined)
  const name = v.startsWith('refs/heads/') ? v.slice('refs/heads/'.length) : v
  if (name.length > 200 || name.startsWith('-') || name === 'HEAD' || !isValidRef(`refs/heads/${name}`)) {
    return { ok: false, errors: [`${where}=${JSON.stringify(v.slice(0, 80))}: expected a branch name such as production`] }
  }
  return ok(name)
}

/** A subset of git check-ref-format: `refs/...`, no control characters or `~^:?*[\`, no `..`, `@{`, `//`, no component starting with `.` or ending in `.lock`. */
function isValidRef(ref: string): boolean {
  if (!ref.startsWith('refs/') || ref.endsWith('/') || ref.endsWith('.')) return false
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref) || ref.includes('..') || ref.includes('@{')) return false
  return ref.split('/').every(c => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'))
}

/** The deploy branch an app names: PIKU_DEPLOY_BRANCH from its config:set values, else from the ENV file of
 *  the commit in question; undefined means main/master. A file that does not parse names nothing here (the
 *  build reports its errors); a bad branch name is an error. */
export function planDeployBranch(configEnv: string | undefined, repoEnv: string | undefined): Result<string | undefined> {
  for (const [text, where] of [
    [configEnv, 'config (config:set values): PIKU_DEPLOY_BRANCH'],
    [repoEnv, 'ENV: PIKU_DEPLOY_BRANCH'],
  ] as const) {
    if (text === undefined) continue
    const values = parseEnvFile(text, {})
    if (!values.ok || !values.value.PIKU_DEPLOY_BRANCH?.trim()) continue
    return parseDeployBranch(values.value.PIKU_DEPLOY_BRANCH, where)
  }
  return ok(undefined)
}
