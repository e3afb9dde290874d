// tests: the git operations of host/git.ts on a real bare repository: a new repo names main, a commit's
// file, HEAD pointed at a branch, the object check a restore makes.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hasAllObjects, initBareRepo, readCommitFile, readDeployBranch, readHeadRef, writeHeadRef } from '../../lib/host/git.js'

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' }

/** A bare repo (made by initBareRepo) holding one commit with `files` on `branch`; returns its sha. */
async function repoWith(dir: string, files: Record<string, string>, branch = 'main'): Promise<{ repo: string; sha: string }> {
  const repo = join(dir, 'repo')
  const r = await initBareRepo(repo)
  if (r.code !== 0) throw new Error(r.stderr)
  const work = join(dir, 'work')
  execFileSync('git', ['init', '-q', '-b', branch, work])
  for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text)
  execFileSync('git', ['add', '-A'], { cwd: work })
  execFileSync('git', ['commit', '-q', '-m', 'one'], { cwd: work, env: gitEnv })
  execFileSync('git', ['push', '-q', repo, branch], { cwd: work })
  return { repo, sha: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: work, encoding: 'utf8' }).trim() }
}

t.test('initBareRepo: HEAD names main; writeHeadRef points it elsewhere', async (t) => {
  const { repo } = await repoWith(t.testdir({}), { ENV: 'A=1\n' }, 'live')
  t.equal(await readHeadRef(repo), 'refs/heads/main')
  await writeHeadRef(repo, 'refs/heads/live')
  t.equal(await readHeadRef(repo), 'refs/heads/live')
  t.equal((await readDeployBranch(repo))?.ref, 'refs/heads/live', 'the branch HEAD names deploys')
})

t.test('readCommitFile: the file of a commit, or undefined', async (t) => {
  const { repo, sha } = await repoWith(t.testdir({}), { ENV: 'A=1\n', Procfile: 'web: x\n' })
  t.equal(await readCommitFile(repo, sha, 'ENV'), 'A=1\n')
  t.equal(await readCommitFile(repo, sha, 'missing'), undefined)
  t.equal(await readCommitFile(repo, 'HEAD', 'ENV'), undefined, 'only a commit id')
})

t.test('hasAllObjects: passes a whole repo, fails one with an object missing', async (t) => {
  const dir = t.testdir({})
  const { repo, sha } = await repoWith(dir, { ENV: 'A=1\n' })
  t.equal((await hasAllObjects(repo, sha)).code, 0)
  const blob = execFileSync('git', ['rev-parse', `${sha}:ENV`], { env: { ...process.env, GIT_DIR: repo }, encoding: 'utf8' }).trim()
  rmSync(join(repo, 'objects', blob.slice(0, 2), blob.slice(2)))
  t.not((await hasAllObjects(repo, sha)).code, 0)
})
