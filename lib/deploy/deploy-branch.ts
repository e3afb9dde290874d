// deploy-branch: which branch of an app deploys (PIKU_DEPLOY_BRANCH from config:set, else from the ENV of
// the commit looked at; main/master when neither names one). The hooks and `deploy APP` ask here.
import { existsSync, readFileSync } from 'node:fs'
import { appPaths } from '../state/paths.js'
import { planDeployBranch } from '../parse/refs.js'
import { readCommitFile } from '../host/git.js'
import { UserError } from '../errors.js'

/** The ENV file of commit `sha`, or undefined when it has none. */
export function readCommitEnv(repo: string, sha: string, objectEnv: NodeJS.ProcessEnv = {}): Promise<string | undefined> {
  return readCommitFile(repo, sha, 'ENV', objectEnv)
}

/** The configured deploy branch of `app` as seen from commit `sha` (undefined: main/master). Throws a
 *  UserError naming the key when the value is not a branch name. */
export async function readDeployBranchSetting(app: string, sha: string | undefined, objectEnv: NodeJS.ProcessEnv = {}): Promise<string | undefined> {
  const p = appPaths(app)
  const config = existsSync(p.env) ? readFileSync(p.env, 'utf8') : undefined
  const fromConfig = planDeployBranch(config, undefined)
  if (!fromConfig.ok) throw new UserError(fromConfig.errors[0])
  if (fromConfig.value || !sha) return fromConfig.value
  const r = planDeployBranch(undefined, await readCommitEnv(p.repo, sha, objectEnv))
  if (!r.ok) throw new UserError(r.errors[0])
  return r.value
}
