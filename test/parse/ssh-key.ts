// ssh-key: public key parsing, fingerprints, key names, restricted authorized_keys lines.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { holdsKeyBody, keyFingerprint, parseKeyLine, parseKeyLines, parsePublicKey, planKeyName, renderAuthorizedKeys, renderKeyLine } from '../../lib/parse/ssh-key.js'

const keyDir = mkdtempSync(join(tmpdir(), 'piku-hooks-keys-'))
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }))
let made = 0

/** A fresh public key line from ssh-keygen. */
function makeKey(type: 'ed25519' | 'rsa' | 'ecdsa', comment: string): string {
  const file = join(keyDir, `id_${type}_${++made}`)
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', comment, '-f', file])
  return readFileSync(`${file}.pub`, 'utf8').trim()
}

t.test('parsePublicKey: types, body and comment', async (t) => {
  for (const type of ['ed25519', 'rsa', 'ecdsa'] as const) {
    const line = makeKey(type, `me@${type} laptop`)
    const r = parsePublicKey(line)
    t.match(r, { ok: true, value: { type: /^(ssh-|ecdsa-)/, comment: `me@${type} laptop` } }, type)
  }
  const ed = makeKey('ed25519', 'x')
  t.match(parsePublicKey(`no-pty,no-agent-forwarding ${ed}`), { ok: true, value: { type: 'ssh-ed25519', comment: 'x' } })
  t.match(parsePublicKey('ssh-dss AAAAB3NzaC1kc3M= old'), { ok: false, errors: [/unknown key type/] })
  t.match(parsePublicKey('ssh-ed25519 not*base64'), { ok: false, errors: [/not base64/] })
  const rsaBody = makeKey('rsa', '').split(' ')[1]
  t.match(parsePublicKey(`ssh-ed25519 ${rsaBody}`), { ok: false, errors: [/does not hold a ssh-ed25519 key/] })
  t.match(parsePublicKey(''), { ok: false })
})

t.test('keyFingerprint: as ssh-keygen -l prints it', async (t) => {
  const line = makeKey('ed25519', 'fp')
  const parsed = parsePublicKey(line)
  if (!parsed.ok) return t.fail('parse')
  const expected = execFileSync('ssh-keygen', ['-l', '-f', join(keyDir, `id_ed25519_${made}.pub`)]).toString().split(' ')[1]
  t.equal(keyFingerprint(parsed.value), expected)
})

t.test('planKeyName: sanitized, bounded, unique', async (t) => {
  t.equal(planKeyName('alice@laptop', 'file', []), 'alice-laptop')
  t.equal(planKeyName('.-x y', 'file', []), 'x-y')
  t.equal(planKeyName('', 'id_ed25519', []), 'id_ed25519')
  t.equal(planKeyName('!!!', '...', []), 'key')
  t.equal(planKeyName('a'.repeat(80), 'f', []).length, 64)
  t.equal(planKeyName('bob', 'f', ['bob', 'bob-2']), 'bob-3')
})

t.test('renderKeyLine: forced command with the key name, restrict with the pty back', async (t) => {
  const k = { type: 'ssh-ed25519', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIH', comment: 'me@laptop' }
  t.equal(renderKeyLine('me-laptop', k, '/usr/local/lib/piku-hooks/bin/piku-ssh'), 'command="/usr/local/lib/piku-hooks/bin/piku-ssh me-laptop",restrict,pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH me@laptop')
  t.equal(renderKeyLine('k', { ...k, comment: '' }, '/bin/x'), 'command="/bin/x k",restrict,pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH')
  t.throws(() => renderKeyLine('a"b', k, '/bin/x'), /invalid key name/)
  t.throws(() => renderKeyLine('a', k, '/bin/x y'), /invalid forced command/)
})

t.test('parseKeyLine and renderAuthorizedKeys: ours re-rendered, others kept, one removed', async (t) => {
  const a = parsePublicKey(makeKey('ed25519', 'a@x'))
  const b = parsePublicKey(makeKey('ed25519', 'b@x'))
  if (!a.ok || !b.ok) return t.fail('keys')
  const old = `command="/opt/piku-ssh a",restrict ${a.value.type} ${a.value.key} a@x`
  t.match(parseKeyLine(old), { forcedCommand: '/opt/piku-ssh', name: 'a', key: { key: a.value.key } })
  t.equal(parseKeyLine(`${a.value.type} ${a.value.key}`), undefined, 'a plain key is not ours')
  t.equal(parseKeyLine(`command="/opt/piku-ssh a;b",restrict ${a.value.type} ${a.value.key}`), undefined)
  const hand = `${b.value.type} ${b.value.key} hand`
  const text = `# note\n${old}\n${hand}\n`
  t.equal(renderAuthorizedKeys(text, '/opt/piku-ssh'), `# note\n${renderKeyLine('a', a.value, '/opt/piku-ssh')}\n${hand}\n`, 'upgrade: restrict,pty')
  t.equal(renderAuthorizedKeys(text, '/opt/piku-ssh', { remove: 'a' }), `# note\n${hand}\n`)
  t.equal(
    renderAuthorizedKeys('', '/opt/piku-ssh', { add: { name: 'b', key: b.value } }),
    `command="/opt/piku-ssh b",restrict,pty ${b.value.type} ${b.value.key} b@x\n`,
  )
})


t.test('parseKeyLines: key lines, blanks and comments skipped', async (t) => {
  t.same(parseKeyLines('\n# mine\nssh-ed25519 AAAA x@y\r\n  \nssh-rsa BBBB\n'), ['ssh-ed25519 AAAA x@y', 'ssh-rsa BBBB'])
})

t.test('holdsKeyBody: a key body on any line, ours or by hand', async (t) => {
  const k = parsePublicKey(makeKey('ed25519', 'h'))
  if (!k.ok) return t.fail('key')
  t.ok(holdsKeyBody(`# x\nno-pty ${k.value.type} ${k.value.key} c\n`, k.value))
  t.notOk(holdsKeyBody('ssh-ed25519 AAAAother\n', k.value))
})
