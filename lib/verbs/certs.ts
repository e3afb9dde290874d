// certs: each app's HTTPS certificate: names, issuer, expiry, the last ACME attempt and its error (`--json`).
import { listApps } from '../state/apps.js'
import { readCertReport } from '../state/certs.js'
import { renderCertReports } from '../render/cert-report.js'
import { mayUseApp } from '../parse/access.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'
import * as log from '../log.js'

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const json = args.includes('--json')
  const rest = args.filter((a) => a !== '--json')
  if (rest.length > 1 || (rest[0] !== undefined && rest[0].startsWith('-'))) throw new UserError(`certs: unexpected argument ${JSON.stringify(rest[rest.length - 1].slice(0, 40))}; usage: certs [APP] [--json]`)
  let names = listApps().filter((n) => mayUseApp(ctx, n))
  if (rest[0] !== undefined) {
    if (!names.includes(rest[0])) throw new UserError(`app ${JSON.stringify(rest[0].slice(0, 64))} not found`)
    names = [rest[0]]
  }
  const reports = names.map(readCertReport)
  if (json) log.json({ certs: reports })
  else if (!reports.length) log.note('There are no applications deployed.')
  else log.out(renderCertReports(reports))
  return 0
}
