// cert-report: the `certs` lines of each app.
import t from 'tap'
import { renderCertReports } from '../../lib/render/cert-report.js'

t.test('renderCertReports: kind, names, issuer, expiry, the last attempt and its error', async (t) => {
  t.equal(
    renderCertReports([
      { app: 'a', kind: 'none', names: [] },
      { app: 'b', kind: 'acme', names: ['b.test', 'www.b.test'], issuer: 'Pebble', notAfter: '2030-01-01T00:00:00.000Z', lastAttempt: '2029-12-01', lastError: 'rate limited' },
      { app: 'c', kind: 'self-signed', names: ['c.test'] },
      { app: 'd', kind: 'acme', names: ['d.test'], lastAttempt: '2029-12-02' },
    ]),
    [
      'a  no certificate (not served by nginx yet)',
      'b  acme',
      '  names     b.test, www.b.test',
      '  issuer    Pebble',
      '  expires   2030-01-01T00:00:00.000Z',
      '  attempt   2029-12-01 (failed)',
      '  error     rate limited',
      'c  self-signed',
      '  names     c.test',
      '  issuer    -',
      '  expires   -',
      '  attempt   never',
      'd  acme',
      '  names     d.test',
      '  issuer    -',
      '  expires   -',
      '  attempt   2029-12-02 (ok)',
      '',
    ].join('\n'),
  )
})
