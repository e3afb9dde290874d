// database-setup: install.sh --with postgres's root step (lib/deploy/database-setup.ts does the work):
//   node database-setup.js --user NAME
import { UserError } from '../errors.js'
import * as log from '../log.js'
import { setupPostgres } from '../deploy/database-setup.js'

const [flag, user] = process.argv.slice(2)
;(flag === '--user' && user ? setupPostgres(user) : Promise.reject(new UserError('usage: database-setup.js --user NAME'))).catch((e: unknown) => {
  log.error(e instanceof Error ? e.message : String(e))
  process.exitCode = e instanceof UserError ? e.exitCode : 2
})
