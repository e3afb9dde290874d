// post-receive: runs after the refs moved. The deploy already happened in pre-receive; this releases the
// app's deploy lock and points HEAD at the deployed branch so `git clone` checks it out.
import { readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { parseRefUpdates, isDeployBranch } from '../lib/parse/refs.js'
import { validateAppName } from '../lib/parse/app-name.js'
import { appPaths } from '../lib/state/paths.js'
import { releaseLock } from '../lib/state/lock.js'

async function main(): Promise<void> {
  const app = validateAppName(basename(resolve(process.env.GIT_DIR ?? '.')))
  if (!app.ok) return
  const updates = parseRefUpdates(readFileSync(0, 'utf8'))
  const p = appPaths(app.value)
  releaseLock(p.lock, process.ppid)
  if (!updates.ok) return
  const branches = updates.value.filter((u) => u.branch && !u.deleted)
  const head = readFileSync(join(p.repo, 'HEAD'), 'utf8').trim()
  // git is started only when HEAD may have to change (the first push, or a switch of the deploy branch)
  if (!branches.length || branches.some((u) => head === `ref: ${u.ref}`)) return
  const { readDeployBranchSetting } = await import('../lib/deploy/deploy-branch.js')
  for (const u of branches) {
    if (!isDeployBranch(u.ref, await readDeployBranchSetting(app.value, u.newSha).catch(() => undefined))) continue
    const { runCapture } = await import('../lib/host/system.js')
    await runCapture('git', ['symbolic-ref', 'HEAD', u.ref], { env: { PATH: process.env.PATH, GIT_DIR: p.repo } })
    return
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`warning: post-receive: ${(e as Error)?.message ?? e}\n`)
})
