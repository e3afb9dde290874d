// git: the few git operations a deploy needs, with a clean environment and argument arrays.
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { runAttached, runCapture, type RunResult } from './run.js'
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

/** The file `path` of commit `sha` (`ENV`), or undefined when the commit has none or `sha` is not a commit id. */
export async function readCommitFile(repo: string, sha: string, path: string, objectEnv: NodeJS.ProcessEnv = {}): Promise<string | undefined> {
  if (!SHA.test(sha)) return undefined
  const r = await runCapture('git', ['cat-file', 'blob', `${sha}:${path}`], { env: gitEnv(repo, objectEnv) })
  return r.code === 0 ? r.stdout : undefined
}

export async function commitSubject(repo: string, sha: string, objectEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await runCapture('git', ['log', '-1', '--format=%s', sha], { env: gitEnv(repo, objectEnv) })
  return r.stdout.trim()
}

/** The deploy branch's commit: `branch` (PIKU_DEPLOY_BRANCH) when given; else the branch HEAD names
 *  (post-receive points it at the deployed one), then main, then master. */
export async function readDeployBranch(repo: string, branch?: string): Promise<{ ref: string; sha: string } | undefined> {
  let refs: string[]
  if (branch) refs = [`refs/heads/${branch}`]
  else {
    const named = await readHeadRef(repo)
    refs = [...new Set([...(named.startsWith('refs/heads/') ? [named] : []), 'refs/heads/main', 'refs/heads/master'])]
  }
  for (const ref of refs) {
    const sha = await readRef(repo, ref)
    if (sha) return { ref, sha }
  }
  return undefined
}

/** The branch HEAD names (`refs/heads/main`), or '' when it names none. */
export async function readHeadRef(repo: string): Promise<string> {
  const r = await runCapture('git', ['symbolic-ref', '--quiet', 'HEAD'], { env: gitEnv(repo) })
  return r.stdout.trim()
}

/** Point HEAD at `ref`, so that `git clone` checks it out. */
export async function writeHeadRef(repo: string, ref: string): Promise<void> {
  await runCapture('git', ['symbolic-ref', 'HEAD', ref], { env: gitEnv(repo) })
}

/** Make an empty bare repository whose HEAD names main. */
export function initBareRepo(repo: string): Promise<RunResult> {
  return runCapture('git', ['init', '--quiet', '--bare', '--initial-branch=main', repo], { env: { PATH: process.env.PATH, HOME: process.env.HOME } })
}

/** Whether every object `sha` needs is in `repo` (a restored archive's repo is checked with it). */
export async function hasAllObjects(repo: string, sha: string): Promise<RunResult> {
  return runCapture('git', ['rev-list', '--objects', '--quiet', sha], { env: { ...gitEnv(repo), LC_ALL: 'C', TZ: 'UTC' } })
}

/** Serve a push or a fetch on our stdio (the ssh session): git-receive-pack or git-upload-pack. */
export async function serveGit(cmd: 'git-receive-pack' | 'git-upload-pack', repo: string, key: string): Promise<number> {
  return (await runAttached(cmd, [repo], { env: { ...process.env, PIKU_KEY: key } })).code
}
