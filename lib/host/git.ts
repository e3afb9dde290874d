// git: the few git operations a deploy needs, with a clean environment and argument arrays.
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { runCapture } from './system.js'
import { UserError } from '../errors.js'

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/

/** Environment for git: only what it needs. `objectEnv` carries git's quarantine variables in a hook. */
export function gitEnv(gitDir: string, objectEnv: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME,
    GIT_DIR: gitDir,
  }
  for (const k of ['GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_QUARANTINE_PATH']) {
    if (objectEnv[k]) env[k] = objectEnv[k]
  }
  return env
}

/** The git variables of the hook that let us read a pushed (still quarantined) revision. */
export function quarantineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const k of ['GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_QUARANTINE_PATH']) {
    if (process.env[k]) env[k] = process.env[k]
  }
  return env
}

/** Write the tree of `sha` into `dest` (git archive | tar), without a .git folder. */
export function exportRevision(repo: string, sha: string, dest: string, objectEnv: NodeJS.ProcessEnv = {}): Promise<void> {
  if (!SHA.test(sha)) throw new UserError(`not a commit id: ${sha}`)
  mkdirSync(dest, { recursive: true })
  return new Promise((resolve, reject) => {
    const env = gitEnv(repo, objectEnv)
    const git = spawn('git', ['archive', '--format=tar', sha], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const tar = spawn('tar', ['-x', '-C', dest], { stdio: ['pipe', 'ignore', 'pipe'] })
    let err = ''
    git.stderr.on('data', (d) => (err += d))
    tar.stderr.on('data', (d) => (err += d))
    git.stdout.pipe(tar.stdin)
    // both must have ended: tar can close before git's exit is reported
    const codes: number[] = []
    const ended = (c: number | null) => {
      codes.push(c ?? 1)
      if (codes.length < 2) return
      if (codes.every((x) => x === 0)) resolve()
      else reject(new UserError(`could not check out ${sha.slice(0, 7)}: ${err.trim().split('\n')[0] || `git archive or tar exited ${codes.join('/')}`}`))
    }
    git.on('close', ended)
    tar.on('close', ended)
    git.on('error', reject)
    tar.on('error', reject)
  })
}

/** The commit a ref points at, or undefined. */
export async function readRef(repo: string, ref: string, objectEnv: NodeJS.ProcessEnv = {}): Promise<string | undefined> {
  const r = await runCapture('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { env: gitEnv(repo, objectEnv) })
  const sha = r.stdout.trim()
  return r.code === 0 && SHA.test(sha) ? sha : undefined
}

export async function commitSubject(repo: string, sha: string, objectEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await runCapture('git', ['log', '-1', '--format=%s', sha], { env: gitEnv(repo, objectEnv) })
  return r.stdout.trim()
}

/** The deploy branch's commit: the one HEAD names if it is main or master, else main, else master. */
export async function readDeployBranch(repo: string): Promise<{ ref: string; sha: string } | undefined> {
  const head = await runCapture('git', ['symbolic-ref', '--quiet', 'HEAD'], { env: gitEnv(repo) })
  const named = head.stdout.trim()
  const refs = ['refs/heads/main', 'refs/heads/master'].sort((a, b) => Number(b === named) - Number(a === named))
  for (const ref of refs) {
    const sha = await readRef(repo, ref)
    if (sha) return { ref, sha }
  }
  return undefined
}
