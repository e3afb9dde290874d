// acme-issue: the entry of certificate requests (lib/deploy/acme.ts), started detached after an activation
// and daily by the renewal vassal (templates/uwsgi/renew.ini):
//   node acme-issue.js APP...   this app now if it needs one
//   node acme-issue.js --due    every app whose certificate is missing or due within 30 days
import { startedAs } from '../state/paths.js'
import * as log from '../log.js'

if (startedAs('acme-issue.js')) {
  const argv = process.argv.slice(2)
  import('../deploy/acme.js')
    .then(({ issueCertificates }) => issueCertificates(argv[0] === '--due' ? [] : argv, argv[0] === '--due'))
    .then(
      (code) => (process.exitCode = code),
      (e: unknown) => {
        log.outLine(`${new Date().toISOString()} acme-issue: ${(e as Error)?.stack ?? e}`)
        process.exitCode = 1
      },
    )
}
