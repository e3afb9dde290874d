// keys: public key parsing, key names, restricted authorized_keys lines, and addKey on a real folder.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import {
  addKey,
  authorizeKey,
  checkAccess,
  keyFingerprint,
  parseKeyAddArgs,
  parseKeyLine,
  parseKeyRecords,
  parsePublicKey,
  planGrant,
  planKeyAdd,
  planKeyName,
  planKeyRemove,
  readKeyRecords,
  removeKey,
  renderAuthorizedKeys,
  renderKeyLine,
  renderKeyList,
  type KeyRecord,
} from '../../lib/state/keys.js'

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

t.test('addKey: writes authorized_keys and .keys.json privately, once per key body', async (t) => {
  const home = t.testdir({ config: {} })
  const one = makeKey('ed25519', 'one@host')
  const two = makeKey('ed25519', 'two@host')
  t.same(addKey(home, 'one-host', 'admin', one, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host', added: true } })
  t.same(addKey(home, 'one-host', 'admin', one, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host', added: false } })
  t.same(addKey(home, 'one-host', 'admin', two, '/opt/piku-ssh'), { ok: true, value: { name: 'one-host-2', added: true } })
  const lines = readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8').split('\n').filter(Boolean)
  t.equal(lines.length, 2)
  t.match(lines[1], /^command="\/opt\/piku-ssh one-host-2",restrict,pty ssh-ed25519 \S+ two@host$/)
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

const rec = (name: string, role: KeyRecord['role'], apps: string[] = [], fingerprint = `SHA256:${name}`): KeyRecord => ({ name, role, apps, fingerprint })

t.test('checkAccess: the role table (read < deploy < admin) and a non-admin key only on its apps', async (t) => {
  const admin = { key: 'boss', role: 'admin' as const, keyApps: [] }
  const deploy = { key: 'ci', role: 'deploy' as const, keyApps: ['web'] }
  const read = { key: 'eye', role: 'read' as const, keyApps: ['web', 'api'] }
  for (const need of ['read', 'deploy', 'admin'] as const) t.equal(checkAccess(admin, need, 'x', 'any'), undefined, `admin: ${need}`)
  t.equal(checkAccess(deploy, 'deploy', 'deploy', 'web'), undefined)
  t.equal(checkAccess(deploy, 'read', 'logs', 'web'), undefined)
  t.equal(checkAccess(deploy, 'admin', 'config:set', 'web'), 'key "ci" has role deploy; config:set needs role admin')
  t.equal(checkAccess(deploy, 'deploy', 'deploy', 'api'), 'key "ci" (role deploy) may not use app "api"; an admin can grant it with keys:add')
  t.equal(checkAccess(read, 'read', 'logs', 'api'), undefined)
  t.equal(checkAccess(read, 'deploy', 'pushing', 'web'), 'key "eye" has role read; pushing needs role deploy')
  t.equal(checkAccess(read, 'read', 'apps'), undefined, 'no app: only the role counts')
})

t.test('parseKeyRecords: checked, never defaulted', async (t) => {
  t.same(parseKeyRecords(JSON.stringify([rec('a', 'admin'), rec('b', 'read', ['x'])])), { ok: true, value: [rec('a', 'admin'), rec('b', 'read', ['x'])] })
  t.match(parseKeyRecords('{'), { ok: false, errors: [/not JSON/] })
  t.match(parseKeyRecords('{}'), { ok: false, errors: [/expected a list/] })
  t.match(parseKeyRecords(JSON.stringify([{ ...rec('a', 'admin'), role: 'root' }])), { ok: false, errors: [/role must be one of read, deploy, admin/] })
  t.match(parseKeyRecords(JSON.stringify([rec('a', 'deploy', ['../x'])])), { ok: false, errors: [/bad app list/] })
  t.match(parseKeyRecords(JSON.stringify([rec('a b', 'admin')])), { ok: false, errors: [/bad key name/] })
})

t.test('planGrant: a key without a record gets nothing', async (t) => {
  t.same(planGrant([rec('ci', 'deploy', ['web'])], 'ci'), { ok: true, value: { key: 'ci', role: 'deploy', keyApps: ['web'] } })
  t.match(planGrant([rec('ci', 'deploy', ['web'])], 'other'), { ok: false, errors: [/key "other" is not in the key list/] })
})

t.test('parseKeyAddArgs: name, role, apps by the one grammar', async (t) => {
  t.same(parseKeyAddArgs(['ci', 'deploy', 'web', 'web', 'api']), { ok: true, value: { name: 'ci', role: 'deploy', apps: ['web', 'api'] } })
  t.same(parseKeyAddArgs(['boss', 'admin']), { ok: true, value: { name: 'boss', role: 'admin', apps: [] } })
  t.match(parseKeyAddArgs(['ci']), { ok: false, errors: [/^usage: keys:add/] })
  t.match(parseKeyAddArgs(['ci', 'root']), { ok: false, errors: [/role "root": use one of read, deploy, admin/] })
  t.match(parseKeyAddArgs(['../ci', 'read', 'web']), { ok: false, errors: [/^key name "..\/ci"/] })
  t.match(parseKeyAddArgs(['ci', 'read', '..']), { ok: false, errors: [/^app name "\.\."/] })
  t.match(parseKeyAddArgs(['ci', 'read', 'a;b']), { ok: false, errors: [/^app name "a;b"/] })
  t.match(parseKeyAddArgs(['ci', 'admin', 'web']), { ok: false, errors: [/admin key may use every app/] })
  t.match(parseKeyAddArgs(['ci', 'deploy']), { ok: false, errors: [/needs the apps it may use/] })
})

t.test('planKeyAdd and planKeyRemove: unique names and keys, the last admin stays', async (t) => {
  const base = [rec('boss', 'admin'), rec('ci', 'deploy', ['web'])]
  t.same(planKeyAdd(base, rec('eye', 'read', ['web'])), { ok: true, value: [...base, rec('eye', 'read', ['web'])] })
  t.match(planKeyAdd(base, rec('ci', 'read', ['web'], 'SHA256:new')), { ok: false, errors: [/a key named "ci" exists/] })
  t.match(planKeyAdd(base, rec('other', 'read', ['web'], 'SHA256:ci')), { ok: false, errors: [/already authorized as "ci"/] })
  t.same(planKeyRemove(base, 'ci'), { ok: true, value: [rec('boss', 'admin')] })
  t.match(planKeyRemove(base, 'boss'), { ok: false, errors: [/"boss" is the last admin key/] })
  t.same(planKeyRemove([...base, rec('boss2', 'admin')], 'boss'), { ok: true, value: [rec('ci', 'deploy', ['web']), rec('boss2', 'admin')] })
  t.match(planKeyRemove(base, 'nobody'), { ok: false, errors: [/no key named "nobody"/] })
})

t.test('renderKeyList: aligned name, role, fingerprint, apps', async (t) => {
  t.equal(renderKeyList([rec('boss', 'admin'), rec('ci', 'deploy', ['web', 'api'])]), 'boss  admin   SHA256:boss  *\nci    deploy  SHA256:ci    web,api\n')
  t.equal(renderKeyList([]), '')
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

t.test('authorizeKey and removeKey: records and lines together, private files', async (t) => {
  const home = t.testdir({ config: {} })
  const boss = makeKey('ed25519', 'boss')
  const ci = makeKey('ed25519', 'ci')
  t.match(addKey(home, 'boss', 'admin', boss, '/opt/piku-ssh'), { ok: true })
  t.match(authorizeKey(home, { name: 'ci', role: 'deploy', apps: ['web'] }, ci, '/opt/piku-ssh'), { ok: true, value: { name: 'ci', role: 'deploy', apps: ['web'] } })
  t.match(authorizeKey(home, { name: 'ci2', role: 'read', apps: ['web'] }, ci, '/opt/piku-ssh'), { ok: false, errors: [/already authorized as "ci"/] })
  t.match(readKeyRecords(home), [{ name: 'boss', role: 'admin' }, { name: 'ci', role: 'deploy', apps: ['web'] }])
  const ak = () => readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')
  t.match(ak(), /^command="\/opt\/piku-ssh ci",restrict,pty ssh-ed25519 /m)
  t.match(removeKey(home, 'boss', '/opt/piku-ssh'), { ok: false, errors: [/last admin key/] })
  t.match(removeKey(home, 'ci', '/opt/piku-ssh'), { ok: true, value: { name: 'ci' } })
  t.notMatch(ak(), / ci",/)
  t.match(ak(), / boss",restrict,pty /)
  t.same(readKeyRecords(home).map((r) => r.name), ['boss'])
  t.equal(statSync(join(home, 'config', '.keys.json')).mode & 0o777, 0o600)
  t.equal(statSync(join(home, '.ssh', 'authorized_keys')).mode & 0o777, 0o600)
  writeFileSync(join(home, 'config', '.keys.json'), '[{"name":"x","role":"god"}]')
  t.throws(() => readKeyRecords(home), /role must be one of/)
})
