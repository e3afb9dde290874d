// certs: each app's HTTPS certificate: names, issuer, expiry, the last ACME attempt and its error (`--json`).
import { listApps } from './apps.js'
import { readCertState, readLiveInfo } from '../state/certs.js'
import { UserError } from '../errors.js'
import type { VerbContext } from './index.js'

export interface CertReport {
  app: string
  kind: 'self-signed' | 'acme' | 'none'
  names: string[]
  issuer?: string
  notAfter?: string
  directory?: string
  lastAttempt?: string
  lastSuccess?: string
  lastError?: string
}

export function readCertReport(app: string): CertReport {
  const state = readCertState(app)
  const live = readLiveInfo(app)
  return {
    app,
    kind: live ? (state?.kind ?? 'self-signed') : 'none',
    names: live?.names ?? state?.names ?? [],
    issuer: live?.issuer,
    notAfter: live?.notAfter,
    directory: state?.directory,
    lastAttempt: state?.lastAttempt,
    lastSuccess: state?.lastSuccess,
    lastError: state?.lastError,
  }
}

export function renderCertReports(reports: CertReport[]): string {
  const lines: string[] = []
  for (const r of reports) {
    lines.push(`${r.app}  ${r.kind === 'none' ? 'no certificate (not served by nginx yet)' : r.kind}`)
    if (r.kind === 'none') continue
    lines.push(`  names     ${r.names.join(', ')}`)
    lines.push(`  issuer    ${r.issuer ?? '-'}`)
    lines.push(`  expires   ${r.notAfter ?? '-'}`)
    lines.push(`  attempt   ${r.lastAttempt ?? 'never'}${r.lastAttempt ? (r.lastError ? ' (failed)' : ' (ok)') : ''}`)
    if (r.lastError) lines.push(`  error     ${r.lastError}`)
  }
  return lines.join('\n') + '\n'
}

export async function run(ctx: VerbContext, args: string[]): Promise<number> {
  const json = args.includes('--json')
  const rest = args.filter((a) => a !== '--json')
  if (rest.length > 1 || (rest[0] !== undefined && rest[0].startsWith('-'))) throw new UserError(`certs: unexpected argument ${JSON.stringify(rest[rest.length - 1].slice(0, 40))}; usage: certs [APP] [--json]`)
  let names = listApps().filter((n) => ctx.role === 'admin' || ctx.keyApps.includes(n))
  if (rest[0] !== undefined) {
    if (!names.includes(rest[0])) throw new UserError(`app ${JSON.stringify(rest[0].slice(0, 64))} not found`)
    names = [rest[0]]
  }
  const reports = names.map(readCertReport)
  if (json) process.stdout.write(JSON.stringify({ certs: reports }, null, 2) + '\n')
  else if (!reports.length) process.stderr.write('There are no applications deployed.\n')
  else process.stdout.write(renderCertReports(reports))
  return 0
}
