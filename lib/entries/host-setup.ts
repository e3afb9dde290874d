// host-setup: install.sh's root-side step (lib/deploy/host-setup.ts does the work):
//   node host-setup.js --user NAME --home DIR --http-port N --https-port N [--listen ADDR]... [--domain D] [--key FILE]...
import { UserError } from '../errors.js'
import * as log from '../log.js'
import { runHostSetup } from '../deploy/host-setup.js'

runHostSetup(process.argv.slice(2)).catch((e: unknown) => {
  log.error(e instanceof Error ? e.message : String(e))
  process.exitCode = e instanceof UserError ? e.exitCode : 2
})
