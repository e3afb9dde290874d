// access: the role table, key records, grants and the plans of keys:add, keys:remove and restore.
import t from 'tap'
import { checkAccess, mayUseApp, parseKeyAddArgs, parseKeyRecords, planAppGrant, planGrant, planKeyAdd, planKeyRemove, renderFetchAccess, renderKeyList, renderKeyRecords, type KeyRecord } from '../../lib/parse/access.js'

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


t.test('mayUseApp: admin sees every app, others their own', async (t) => {
  t.ok(mayUseApp({ key: 'a', role: 'admin', keyApps: [] }, 'web'))
  t.ok(mayUseApp({ key: 'c', role: 'read', keyApps: ['web'] }, 'web'))
  t.notOk(mayUseApp({ key: 'c', role: 'deploy', keyApps: ['web'] }, 'api'))
})

t.test('planAppGrant: restore gives the app back to the non-admin keys it names', async (t) => {
  const base = [rec('boss', 'admin'), rec('ci', 'deploy', ['api']), rec('eye', 'read', ['web']), rec('other', 'read', ['x'])]
  const r = planAppGrant(base, 'web', ['SHA256:boss', 'SHA256:ci', 'SHA256:eye', 'SHA256:gone'])
  t.same(r.granted, ['ci'])
  t.same(r.records, [rec('boss', 'admin'), rec('ci', 'deploy', ['api', 'web']), rec('eye', 'read', ['web']), rec('other', 'read', ['x'])])
  t.same(planAppGrant(base, 'web', []).granted, [])
})

t.test('renderKeyRecords and renderFetchAccess: what the store writes', async (t) => {
  const recs = [rec('boss', 'admin'), rec('ci', 'deploy', ['web', 'api'])]
  t.same(parseKeyRecords(renderKeyRecords(recs)), { ok: true, value: recs })
  t.equal(renderFetchAccess(recs), 'boss *\nci web api\n')
  t.equal(renderFetchAccess([]), '')
})
