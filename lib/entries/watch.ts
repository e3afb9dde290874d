// watch: the detached entry that runs after a switch (deploy/crash-watch.ts):
//   node watch.js APP JSON-OPTIONS
import { startedAs } from '../state/paths.js'
import type { AfterSwitch } from '../deploy/after-switch.js'
import * as log from '../log.js'

if (startedAs('watch.js')) {
  const [app, json] = process.argv.slice(2)
  import('../deploy/crash-watch.js')
    .then(({ afterSwitch }) => afterSwitch(app, JSON.parse(json) as AfterSwitch))
    .catch((e) => {
      log.outLine(`${new Date().toISOString()} ${app}: after-switch failed: ${(e as Error)?.stack ?? e}`)
      process.exitCode = 1
    })
}
