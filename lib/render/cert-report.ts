// cert-report: the `certs` report of each app's certificate (names, issuer, expiry, last ACME attempt).

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
