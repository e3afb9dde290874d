// repo-hooks: install.sh's pass over every app's own hooks and templates after an upgrade (as the user;
// lib/state/stock.ts does the work): missing copies are written, unedited ones follow the new toolkit,
// edited ones are kept and the admin is told where the new stock version is. Hooks left as links to the
// toolkit by an older install become files.
//   node repo-hooks.js   (as the piku-hooks user; PIKU_ROOT or HOME names the host root)
import { startedAs } from '../state/paths.js'
import * as log from '../log.js'

if (startedAs('repo-hooks.js')) {
  import('../state/stock.js')
    .then(({ syncAllApps }) => {
      for (const l of syncAllApps()) log.outLine(`       ${l}`)
    })
    .catch((e: unknown) => {
      log.failure(`could not update the apps' hooks and templates: ${(e as Error).message}`)
      process.exitCode = 1
    })
}
