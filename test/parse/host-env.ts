import t from 'tap'
import { parseHostEnv } from '../../lib/parse/host-env.js'
import { renderHostEnv, type HostValues } from '../../lib/render/host.js'

t.test('parseHostEnv: reads back every value install.sh writes', async (t) => {
  const v: HostValues = {
    user: 'piku',
    home: '/home/piku',
    httpPort: 8080,
    httpsPort: 8443,
    listen: ['127.0.0.1', '[::1]'],
    domain: 'example.org',
    acme: { ACME_ROOT_CA: 'https://ca.lan:14000/dir', ACME_EMAIL: 'a+b@c.org', ACME_CA_BUNDLE: '/etc/ssl/ca.pem' },
    memoryCgroup: '/sys/fs/cgroup/system.slice/piku\\x2demperor.service/apps',
  }
  t.same(parseHostEnv(renderHostEnv(v)), {
    user: 'piku',
    httpPort: 8080,
    httpsPort: 8443,
    listen: ['127.0.0.1', '[::1]'],
    domain: 'example.org',
    acme: v.acme,
    memoryCgroup: '/sys/fs/cgroup/system.slice/piku\\x2demperor.service/apps',
    sandbox: 'auto',
  })
})

t.test('parseHostEnv: defaults when empty, blank values are absent', async (t) => {
  const none = { ACME_ROOT_CA: undefined, ACME_EMAIL: undefined, ACME_CA_BUNDLE: undefined }
  t.same(parseHostEnv(''), { user: '', httpPort: 80, httpsPort: 443, listen: [], domain: undefined, acme: none, memoryCgroup: undefined, sandbox: 'auto' })
  t.same(parseHostEnv(renderHostEnv({ user: 'p', home: '/h', httpPort: 80, httpsPort: 443, listen: [], domain: '' })), {
    user: 'p', httpPort: 80, httpsPort: 443, listen: [], domain: undefined, acme: none, memoryCgroup: undefined, sandbox: 'auto',
  })
})

t.test('parseHostEnv: ENV line rules (quotes, comments, CRLF); a line that does not fit is left out', async (t) => {
  const s = parseHostEnv('# by install.sh\r\nDOMAIN="example.org"\r\nnot a setting\r\nHTTP_PORT=8080\nHTTPS_PORT="open\nPIKU_USER=piku\nPIKU_USER=later\n')
  t.equal(s.domain, 'example.org')
  t.equal(s.httpPort, 8080)
  t.equal(s.httpsPort, 443, 'the broken line is left out')
  t.equal(s.user, 'later', 'a later line wins')
})

t.test('parseHostEnv: SANDBOX is auto, require or off; anything else is auto', async (t) => {
  t.equal(parseHostEnv('SANDBOX=require\n').sandbox, 'require')
  t.equal(parseHostEnv('SANDBOX=off\n').sandbox, 'off')
  t.equal(parseHostEnv('SANDBOX=maybe\n').sandbox, 'auto')
})

t.test('renderHostEnv: an admin\'s SANDBOX=require or off is written back; auto is the default and not written', async (t) => {
  const v = { user: 'p', home: '/h', httpPort: 80, httpsPort: 443, listen: [], domain: '' }
  t.equal(parseHostEnv(renderHostEnv({ ...v, sandbox: 'require' })).sandbox, 'require')
  t.equal(parseHostEnv(renderHostEnv({ ...v, sandbox: 'off' })).sandbox, 'off')
  t.notMatch(renderHostEnv({ ...v, sandbox: 'auto' }), /SANDBOX/)
})
