// repo-hooks: relink every app's git hooks to this toolkit (lib/state/repo-hooks.ts); install.sh runs it:
//   node repo-hooks.js   (as the piku-hooks user; PIKU_ROOT or HOME names the host root)
import { relinkAllHooks } from './state/repo-hooks.js'
import { startedAs } from './state/paths.js'

if (startedAs('repo-hooks.js')) {
  try {
    const changed = relinkAllHooks()
    process.stdout.write(changed.length ? `       relinked the git hooks of ${changed.join(', ')}\n` : '')
  } catch (e) {
    process.stderr.write(`error: could not relink the apps' git hooks: ${(e as Error).message}\n`)
    process.exitCode = 1
  }
}
