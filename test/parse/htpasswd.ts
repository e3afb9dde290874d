// htpasswd: basic-auth user names, the password read from stdin, the users file nginx reads.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { validateAuthUser, parsePasswordInput, parseHtpasswd, renderHtpasswd, setAuthUser } from '../../lib/parse/htpasswd.js'

const hash = '$6$abcdefgh$' + 'x'.repeat(86)

t.test('validateAuthUser: names nginx reads as one field', async (t) => {
  for (const ok of ['alice', 'a', 'bob.smith', 'ci-bot_2', 'me@example.org']) t.same(validateAuthUser(ok), { ok: true, value: ok }, ok)
  for (const bad of ['', 'a:b', 'a b', '-x', '.x', 'a\nb', 'x'.repeat(65), 'ü']) t.match(validateAuthUser(bad), { ok: false, errors: [/use 1 to 64 letters/] }, JSON.stringify(bad))
})

t.test('parsePasswordInput: one line on stdin', async (t) => {
  t.same(parsePasswordInput('s3cret\n'), { ok: true, value: 's3cret' })
  t.same(parsePasswordInput('s3cret\r\n'), { ok: true, value: 's3cret' })
  t.same(parsePasswordInput('with spaces and :colons'), { ok: true, value: 'with spaces and :colons' })
  t.match(parsePasswordInput(''), { ok: false, errors: [/no password on stdin/] })
  t.match(parsePasswordInput('\n'), { ok: false, errors: [/no password on stdin/] })
  t.match(parsePasswordInput('two\nlines\n'), { ok: false, errors: [/one line/] })
  t.match(parsePasswordInput('tab\there'), { ok: false, errors: [/one line/] })
  t.match(parsePasswordInput('x'.repeat(1025)), { ok: false, errors: [/longer than 1024/] })
})

t.test('parseHtpasswd, renderHtpasswd, setAuthUser: user:hash lines, sorted, one per user', async (t) => {
  const users = setAuthUser(setAuthUser([], { user: 'bob', hash }), { user: 'alice', hash })
  t.same(users.map((u) => u.user), ['alice', 'bob'])
  const text = renderHtpasswd(setAuthUser(users, { user: 'bob', hash: '$6$zzzzzzzz$' + 'y'.repeat(86) }))
  t.equal(text.split('\n').filter(Boolean).length, 2)
  t.match(text, /^alice:\$6\$abcdefgh\$x+\nbob:\$6\$zzzzzzzz\$y+\n$/)
  t.same(parseHtpasswd(text, 'f'), { ok: true, value: [{ user: 'alice', hash }, { user: 'bob', hash: '$6$zzzzzzzz$' + 'y'.repeat(86) }] })
  t.match(parseHtpasswd('alice:plaintext\n', 'auth/web.htpasswd'), { ok: false, errors: ['auth/web.htpasswd:1: not a "user:hash" line'] })
  t.throws(() => renderHtpasswd([{ user: 'a:b', hash }]), /unsafe htpasswd entry/)
  t.throws(() => renderHtpasswd([{ user: 'a', hash: 'x\nroot:y' }]), /unsafe htpasswd entry/)
})

const openssl = spawnSync('openssl', ['version'])
t.test('parseHtpasswd: accepts what openssl passwd -6 makes', { skip: openssl.status === 0 ? false : 'no openssl' }, async (t) => {
  const r = spawnSync('openssl', ['passwd', '-6', '-stdin'], { input: 'pw\n' })
  const h = String(r.stdout).trim()
  t.match(parseHtpasswd(`alice:${h}\n`, 'f'), { ok: true, value: [{ user: 'alice', hash: h }] })
})
