// keys: public key parsing, key names, restricted authorized_keys lines, and addKey on a real folder.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { addKey, keyFingerprint, parsePublicKey, planKeyName, readKeyRecords, renderKeyLine } from '../lib/keys.js'

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

t.test('renderKeyLine: forced command with the key name, restrict', async (t) => {
  const k = { type: 'ssh-ed25519', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIH', comment: 'me@laptop' }
  t.equal(renderKeyLine('me-laptop', k, '/usr/local/lib/piku-hooks/bin/piku-ssh'), 'command="/usr/local/lib/piku-hooks/bin/piku-ssh me-laptop",restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH me@laptop')
  t.equal(renderKeyLine('k', { ...k, comment: '' }, '/bin/x'), 'command="/bin/x k",restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH')
  t.throws(() => renderKeyLine('a"b', k, '/bin/x'), /invalid key name/)
  t.throws(() => renderKeyLine('a', k, '/bin/x y'), /invalid forced command/)
})

t.test('addKey: writes authorized_keys and .keys.json privately, once per key body', async (t) => {
  const home = t.testdir({ config: {} })
  const one = makeKey('ed25519', 'one@host')
  const two = makeKey('ed25519', 'two@host')
  t.same(addKey(home, 'one-host', 'admin', one, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host', added: true } })
  t.same(addKey(home, 'one-host', 'admin', one, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host', added: false } })
  t.same(addKey(home, 'one-host', 'admin', two, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host-2', added: true } })
  const lines = readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8').split('\n').filter(Boolean)
  t.equal(lines.length, 2)
  t.match(lines[1], /^command="\/opt\/piku-ssh one-host-2",restrict ssh-ed25519 \S+ two@host$/)
  t.equal(statSync(join(home, '.ssh')).mode & 0o777, 0o700)
  t.equal(statSync(join(home, '.ssh', 'authorized_keys')).mode & 0o777, 0o600)
  t.equal(statSync(join(home, 'config', '.keys.json')).mode & 0o777, 0o600)
  t.match(readKeyRecords(home), [
    { name: 'one-host', role: 'admin', apps: [], fingerprint: /^SHA256:/ },
    { name: 'one-host-2', role: 'admin', apps: [], fingerprint: /^SHA256:/ },
  ])
  t.match(addKey(home, 'x', 'admin', 'garbage'), { ok: false })
})

t.test('addKey: keeps lines it did not write and knows keys added by hand', async (t) => {
  const home = t.testdir({ '.ssh': {} })
  const mine = makeKey('ed25519', 'hand')
  writeFileSync(join(home, '.ssh', 'authorized_keys'), `# a note\n${mine}\n`)
  t.same(addKey(home, 'hand', 'admin', mine, '/opt/piku-ssh'), { ok: true, value: { name: 'hand', added: false } })
  t.equal(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8'), `# a note\n${mine}\n`)
})
