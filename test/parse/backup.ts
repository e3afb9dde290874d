// tests: backup manifest, tar listing parser and the member checks restore makes before extracting.
import t from 'tap'
import { parseManifest, renderManifest, parseTarListing, validateMembers, parseBackupKeys, type ArchiveMember } from '../../lib/parse/backup.js'

const m = (name: string, type = '-', linkTarget?: string): ArchiveMember => ({ type, name, ...(linkTarget ? { linkTarget } : {}) })
const good = [m('manifest.json'), m('keys.json'), m('repos/app/', 'd'), m('repos/app/HEAD'), m('repos/app/objects/', 'd'), m('config/app/', 'd'), m('config/app/ENV'), m('config/app/SCALING'), m('data/app/', 'd'), m('data/app/db.sqlite'), m('data/app/latest', 'l', 'db.sqlite')]

t.test('manifest: round trip, and foreign or newer ones refused', async (t) => {
  const text = renderManifest({ format: 'piku-hooks-backup', version: 1, app: 'web', created: '2024-01-01T00:00:00.000Z', branch: 'refs/heads/main' })
  t.same(parseManifest(text), { ok: true, value: JSON.parse(text) })
  t.match(parseManifest('{'), { ok: false, errors: [/not JSON/] })
  t.match(parseManifest('{"format":"other","version":1,"app":"x"}'), { ok: false, errors: [/does not say format "piku-hooks-backup"/] })
  t.match(parseManifest('{"format":"piku-hooks-backup","version":2,"app":"x"}'), { ok: false, errors: [/version 2 is not one this toolkit reads/] })
  t.match(parseManifest('{"format":"piku-hooks-backup","version":1,"app":"../x"}'), { ok: false, errors: [/names no valid app/] })
})

t.test('parseTarListing: GNU tar -tv lines, symlinks and hard links', async (t) => {
  const text = [
    '-rw------- 1000/33         120 2024-05-01 10:00 manifest.json',
    'drwx------ 1000/33           0 2024-05-01 10:00 data/app/',
    'lrwxrwxrwx 1000/33           0 2024-05-01 10:00 data/app/latest -> db v2.sqlite',
    'hrw------- 1000/33           0 2024-05-01 10:00 data/app/b link to data/app/a',
    'garbage',
    '',
  ].join('\n')
  t.same(parseTarListing(text), [m('manifest.json'), m('data/app/', 'd'), m('data/app/latest', 'l', 'db v2.sqlite'), m('data/app/b', 'h', 'data/app/a'), { type: '?', name: 'garbage' }])
})

t.test('validateMembers: one app inside its layout', async (t) => {
  t.same(validateMembers(good), { ok: true, value: 'app' })
  t.same(validateMembers([good[0], m('auth.htpasswd'), ...good.slice(1)]), { ok: true, value: 'app' }, 'the basic-auth users beside keys.json')
  const bad = (members: ArchiveMember[], re: RegExp) => t.match(validateMembers(members), { ok: false, errors: [re] })
  bad([], /empty/)
  bad(good.slice(1), /does not start with manifest\.json/)
  bad([...good, m('../../etc/passwd')], /leaves the backup's folder/)
  bad([...good, m('/etc/passwd')], /leaves the backup's folder/)
  bad([...good, m('data/app/../../x')], /leaves the backup's folder/)
  bad([...good, m('data/app/h', 'h', 'data/app/db.sqlite')], /hard links are not allowed/)
  bad([...good, m('data/app/dev', 'c')], /devices, fifos and sockets/)
  bad([...good, m('data/app/latest/evil')], /below a symlink/)
  bad([...good, m('auth.htpasswd', 'l', '/etc/shadow')], /auth\.htpasswd.*must be a plain file/)
  bad([...good, m('repos/other/HEAD')], /holds a second app/)
  bad([...good, m('config/app/LIVE_ENV')], /config\/ holds only ENV, SCALING, redis.json/)
  bad([...good, m('home/.ssh/authorized_keys')], /not part of a piku-hooks backup/)
  bad([m('manifest.json'), m('data/app/', 'd')], /no git repository for "app"/)
  bad([m('manifest.json')], /holds no app/)
  bad([m('manifest.json', 'l', '/etc/shadow'), ...good.slice(1)], /must be a plain file/)
  t.same(validateMembers(good.map((x) => ({ ...x, name: `./${x.name}` }))), { ok: true, value: 'app' }, 'a leading ./ is fine')
})

t.test('parseBackupKeys', async (t) => {
  t.same(parseBackupKeys('[{"name":"ci","role":"deploy","fingerprint":"SHA256:x","apps":["a"]}]'), { ok: true, value: [{ name: 'ci', role: 'deploy', fingerprint: 'SHA256:x' }] })
  t.match(parseBackupKeys('{}'), { ok: false })
  t.match(parseBackupKeys('[{"name":"ci"}]'), { ok: false, errors: [/name, role and fingerprint/] })
})

t.test('parseBackupKeys and validateMembers: the last refusals', async (t) => {
  t.match(parseBackupKeys('[{"name":"ci","role":"deploy"}]'), { ok: false, errors: [/every entry needs name, role and fingerprint/] })
  t.match(parseBackupKeys('[null]'), { ok: false, errors: [/every entry needs/] })
  t.match(parseBackupKeys('{'), { ok: false, errors: ['keys.json is not JSON'] })
  const base = [m('manifest.json'), m('keys.json')]
  t.match(validateMembers([...base, m('repos', '-')]), { ok: false, errors: [/must be a folder/] })
  t.match(validateMembers([...base, m('repos/', 'd'), m('repos/a;b/', 'd')]), { ok: false, errors: [/not an app folder/] })
})
