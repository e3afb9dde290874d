// acme-settings: ACME_* values, names a CA can validate, and when to ask.
import t from 'tap'
import { parseAcmeSettings, issuableNames, planCertificate, LETS_ENCRYPT, type CertState } from '../../lib/parse/acme-settings.js'

t.test('parseAcmeSettings: Let\'s Encrypt by default, the app over host.env, off turns it off', async (t) => {
  t.same(parseAcmeSettings({}, {}), { ok: true, value: { directory: LETS_ENCRYPT } })
  t.same(parseAcmeSettings({ ACME_ROOT_CA: 'https://ca.lan:14000/dir' }, { ACME_ROOT_CA: 'off', ACME_EMAIL: 'a@b.org' }), { ok: true, value: { directory: 'https://ca.lan:14000/dir', email: 'a@b.org' } })
  t.same(parseAcmeSettings({}, { ACME_ROOT_CA: 'off' }), { ok: true, value: { directory: undefined } })
  t.match(parseAcmeSettings({ ACME_CA_BUNDLE: '/etc/ssl/ca.pem' }, {}), { ok: true, value: { caBundle: '/etc/ssl/ca.pem' } })
})

t.test('parseAcmeSettings: bad values are named', async (t) => {
  const r = parseAcmeSettings({ ACME_ROOT_CA: 'http://ca/dir', ACME_EMAIL: 'nobody', ACME_CA_BUNDLE: 'ca.pem' }, {})
  t.match(r, { ok: false, errors: [/^ACME_ROOT_CA="http:\/\/ca\/dir"/, /^ACME_EMAIL="nobody"/, /^ACME_CA_BUNDLE="ca.pem"/] })
})

t.test('issuableNames: no wildcards or addresses; private names only for a CA the user named', async (t) => {
  const names = ['example.org', '*.example.org', '10.0.0.1', 'app.test', 'nas.lan']
  t.same(issuableNames(names, LETS_ENCRYPT), ['example.org'])
  t.same(issuableNames(names, 'https://ca.lan/dir'), ['example.org', 'app.test', 'nas.lan'])
})

t.test('planCertificate: issue when missing, changed or due; wait after a failure only when scheduled', async (t) => {
  const now = new Date('2026-06-01T00:00:00Z')
  const dir = 'https://ca.lan/dir'
  const good: CertState = { kind: 'acme', names: ['a.org'], directory: dir, notAfter: '2026-08-01T00:00:00Z' }
  t.match(planCertificate(undefined, ['a.org'], dir, now, false), { action: 'issue' })
  t.match(planCertificate({ kind: 'self-signed', names: ['a.org'] }, ['a.org'], dir, now, true), { action: 'issue' })
  t.match(planCertificate(good, ['a.org'], dir, now, true), { action: 'none', reason: /valid until/ })
  t.match(planCertificate(good, ['a.org', 'b.org'], dir, now, true), { action: 'issue', reason: /names changed/ })
  t.match(planCertificate(good, ['a.org'], 'https://other/dir', now, true), { action: 'issue', reason: /ACME_ROOT_CA changed/ })
  t.match(planCertificate({ ...good, notAfter: '2026-06-20T00:00:00Z' }, ['a.org'], dir, now, true), { action: 'issue', reason: /expires/ })
  const failed: CertState = { kind: 'self-signed', names: ['a.org'], lastAttempt: '2026-05-31T23:00:00Z', lastError: 'x' }
  t.match(planCertificate(failed, ['a.org'], dir, now, true), { action: 'none', reason: /retrying later/ })
  t.match(planCertificate(failed, ['a.org'], dir, now, false), { action: 'issue' }, 'a push tries at once')
  t.match(planCertificate(undefined, ['a.org'], undefined, now, false), { action: 'none', reason: /off/ })
  t.match(planCertificate(undefined, ['*.a.org'], dir, now, false), { action: 'none', reason: /HTTP-01/ })
})
