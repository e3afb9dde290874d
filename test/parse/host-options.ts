// host-options: install.sh's host settings are validated before anything is rendered.
import t from 'tap'
import { parseHostArgs, validateDomain, validateListen, validatePort, validateUserName } from '../../lib/parse/host-options.js'

t.test('parseHostArgs: defaults and every option', async (t) => {
  t.same(parseHostArgs([]), { ok: true, value: { user: 'piku', home: '/home/piku', httpPort: 80, httpsPort: 443, listen: [], domain: '', keys: [], acme: {} } })
  const argv = ['--user', 'ph1', '--http-port', '8080', '--https-port', '8443', '--listen', '127.0.0.1', '--listen', '[::1]', '--listen', '127.0.0.1', '--domain', 'Apps.Example.org', '--key', '/tmp/a.pub', '--home', '/srv/ph1/']
  t.same(parseHostArgs(argv), { ok: true, value: { user: 'ph1', home: '/srv/ph1', httpPort: 8080, httpsPort: 8443, listen: ['127.0.0.1', '[::1]'], domain: 'apps.example.org', keys: ['/tmp/a.pub'], acme: {} } })
})

t.test('parseHostArgs: every bad argument is named', async (t) => {
  const r = parseHostArgs(['--user', 'Root', '--http-port', 'x', '--listen', 'localhost', '--domain', 'a..b', '--home', '/home/../etc', '--bogus', '1'])
  t.notOk(r.ok)
  if (!r.ok) {
    t.match(r.errors, [/^--user: invalid user name "Root"/, /^--http-port: not a port number/, /^--listen: /, /^--domain: /, /^--home: /, /^unknown argument: "--bogus"/])
  }
  t.match(parseHostArgs(['--user']), { ok: false, errors: ['--user: missing value'] })
  t.match(parseHostArgs(['--http-port', '8000', '--https-port', '8000']), { ok: false, errors: [/both 8000/] })
})

t.test('validateUserName: unix names only', async (t) => {
  for (const good of ['piku', '_x', 'a-b_c9', 'a'.repeat(32)]) t.ok(validateUserName(good).ok, good)
  for (const bad of ['', '9a', 'Piku', 'a b', 'a;b', 'a'.repeat(33), '-a']) t.notOk(validateUserName(bad).ok, bad)
})

t.test('validatePort: 1-65535, digits only', async (t) => {
  t.same(validatePort('--http-port', '80'), { ok: true, value: 80 })
  for (const bad of ['0', '65536', '', '8o', '1e3', ' 80', '-1']) t.notOk(validatePort('--http-port', bad).ok, bad)
})

t.test('validateListen: IPv4 or bracketed IPv6', async (t) => {
  for (const good of ['127.0.0.1', '0.0.0.0', '[::1]', '[fe80::1]']) t.ok(validateListen(good).ok, good)
  for (const bad of ['::1', 'localhost', '256.0.0.1', '[127.0.0.1]', '127.0.0.1:80', '[::1];']) t.notOk(validateListen(bad).ok, bad)
})

t.test('validateDomain: DNS names, lower-cased', async (t) => {
  t.same(validateDomain('Example.COM'), { ok: true, value: 'example.com' })
  for (const bad of ['', '-a.com', 'a_b.com', 'a .com', 'a;b', 'x'.repeat(64) + '.com', 'a.com.']) t.notOk(validateDomain(bad).ok, bad)
})

t.test('parseHostArgs: ACME options, checked like the host.env settings', async (t) => {
  t.match(parseHostArgs(['--acme-email', 'me@example.com', '--acme-ca', 'letsencrypt']), { ok: true, value: { acme: { ACME_EMAIL: 'me@example.com', ACME_ROOT_CA: 'letsencrypt' } } })
  t.match(parseHostArgs(['--acme-email', ' ']), { ok: false, errors: ['--acme-email: missing value'] })
  t.match(parseHostArgs(['--acme-ca', 'ftp://nope']), { ok: false, errors: [/^--acme-ca: /] })
})
