// recover-boot: what piku-boot runs as the user before it starts the emperor: every app is put in order
// (deploy/recover.ts's recoverAllApps) so activations an interrupted deploy or a crash left behind never start
// again, and the live records are rebuilt from what is on disk. An app whose lock is held (a deploy runs) is
// left alone. Prints one line per repair; exits 0 unless something failed.
//   node recover-boot.js
import { startedAs } from '../state/paths.js'
import * as log from '../log.js'

if (startedAs('recover-boot.js')) {
  import('../deploy/recover.js')
    .then(({ recoverAllApps }) => recoverAllApps())
    .then(({ lines, errors }) => {
      for (const line of lines) log.outLine(line)
      for (const line of errors) log.note(line)
      process.exitCode = errors.length ? 1 : 0
    })
    .catch((e: unknown) => {
      log.note(`recovery failed: ${(e as Error)?.stack ?? e}`)
      process.exitCode = 1
    })
}
