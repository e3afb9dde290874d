// refs: parse what git gives pre-receive and post-receive on stdin (`<old-sha> <new-sha> <ref>` per line).

import { type Result, ok } from '../errors.js'

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

/** True for the branches a push deploys: `refs/heads/main` and `refs/heads/master`. */
export function isDeployBranch(ref: string): boolean {
  return DEPLOY_BRANCHES.has(ref)
}

/** A subset of git check-ref-format: `refs/...`, no control characters or `~^:?*[\`, no `..`, `@{`, `//`, no component starting with `.` or ending in `.lock`. */
function isValidRef(ref: string): boolean {
  if (!ref.startsWith('refs/') || ref.endsWith('/') || ref.endsWith('.')) return false
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref) || ref.includes('..') || ref.includes('@{')) return false
  return ref.split('/').every(c => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'))
}
