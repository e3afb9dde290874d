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
  const deployed = updates.value.find((u) => isDeployBranch(u.ref) && !u.deleted)
  // git is started only when HEAD has to change (the first push, or a switch between main and master)
  if (deployed && readFileSync(join(p.repo, 'HEAD'), 'utf8').trim() !== `ref: ${deployed.ref}`) {
    const { writeHeadRef } = await import('../lib/host/git.js')
    await writeHeadRef(p.repo, deployed.ref)
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`warning: post-receive: ${(e as Error)?.message ?? e}\n`)
})
