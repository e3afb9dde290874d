// doctor: is this host well? nginx (running, config valid), the uwsgi emperor, disk, memory, certificates and
// every app (deployed, running, answering, crash-looping, stopped). One line per check, `ok`/`warn`/`FAIL`
// and what to do; exits 1 when a check FAILs. `--json` for one JSON document.
import { UserError } from '../errors.js'
import { gatherChecks } from '../deploy/host-health.js'
import { doctorExitCode, renderChecks } from '../render/doctor-report.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(_ctx: VerbContext, args: string[]): Promise<number> {
  const json = args.includes('--json')
  const extra = args.filter((a) => a !== '--json')
  if (extra.length) throw new UserError(`doctor: unexpected argument ${JSON.stringify(extra[0].slice(0, 40))}; usage: doctor [--json]`)
  const checks = await gatherChecks()
  const code = doctorExitCode(checks)
  if (json) log.json({ ok: code === 0, checks })
  else log.out(renderChecks(checks))
  return code
}
