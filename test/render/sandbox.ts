// sandbox: the bwrap argument list (pure): the namespaces, the system read-only, the home hidden behind a private
// tmpfs with the app's own folders bound back in after it, /tmp bounded; the vassal wrapper execs it, quoted.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { planSandboxArgs, planSandboxed, renderSandboxWrapper, type SandboxSpec } from '../../lib/render/sandbox.js'

const spec: SandboxSpec = {
  bwrap: '/usr/bin/bwrap',
  system: [{ path: '/usr' }, { path: '/etc' }, { path: '/bin', link: 'usr/bin' }],
  hide: ['/etc/nginx'],
  home: '/home/piku/',
  homeBytes: 1024,
  tmpBytes: 2048.5,
  rw: ['/home/piku/apps/a/releases/v1', '/home/piku/data/a'],
  ro: ['/home/piku/deps/a'],
  devices: ['/dev/gpiomem'],
  cwd: '/home/piku/apps/a/releases/v1',
  newSession: true,
}

t.test('planSandboxArgs: namespaces, system, home tmpfs before the app folders, --', async (t) => {
  const a = planSandboxArgs(spec)
  t.same(a.slice(0, 7), ['--die-with-parent', '--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--new-session'])
  t.notOk(a.includes('--unshare-net'), 'loopback stays shared')
  const s = a.join(' ')
  t.match(s, '--ro-bind /usr /usr --ro-bind /etc /etc --symlink usr/bin /bin --tmpfs /etc/nginx --proc /proc --dev /dev --size 2048 --tmpfs /dev/shm --size 2048 --tmpfs /tmp --size 1024 --tmpfs /home/piku --bind /home/piku/apps/a/releases/v1 /home/piku/apps/a/releases/v1')
  t.ok(s.indexOf('--tmpfs /home/piku') < s.indexOf('--bind /home/piku/data/a'), 'the home is hidden first, then the app folders bound back')
  t.match(s, '--ro-bind /home/piku/deps/a /home/piku/deps/a --dev-bind /dev/gpiomem /dev/gpiomem --remount-ro /dev --chdir /home/piku/apps/a/releases/v1 --')
  t.equal(a[a.length - 1], '--')
  t.ok(s.indexOf('--dev-bind') < s.indexOf('--remount-ro /dev'), '/dev is made read-only after the devices are bound in, so /dev/shm is the only writable place in it, bounded like /tmp')
  t.notOk(planSandboxArgs({ ...spec, newSession: false }).includes('--new-session'), 'an interactive run keeps its terminal')
  t.ok(planSandboxArgs({ ...spec, home: '/' }).includes('/'), 'the root path is kept as it is')
})

t.test('planSandboxArgs: unsafe paths and links are refused', async (t) => {
  t.throws(() => planSandboxArgs({ ...spec, rw: ['relative'] }), /unsafe sandbox path/)
  t.throws(() => planSandboxArgs({ ...spec, rw: ['/home/piku/../etc'] }), /unsafe sandbox path/)
  t.throws(() => planSandboxArgs({ ...spec, devices: ['/dev/x\n--bind'] }), /unsafe sandbox path/)
  t.throws(() => planSandboxArgs({ ...spec, system: [{ path: '/bin', link: '' }] }), /unsafe sandbox link/)
  t.throws(() => planSandboxed(spec, []), /needs a program/)
})

t.test('planSandboxed: bwrap, its options, then the command', async (t) => {
  const [cmd, args] = planSandboxed(spec, ['/bin/sh', '-c', 'echo hi'])
  t.equal(cmd, '/usr/bin/bwrap')
  t.same(args.slice(-4), ['--', '/bin/sh', '-c', 'echo hi'])
})

t.test('renderSandboxWrapper: one exec line, every argument quoted for sh', async (t) => {
  const text = renderSandboxWrapper('a web.1\nx', { ...spec, bwrap: '/bin/echo' }, ['/usr/bin/uwsgi', '--ini', "/h/it's.ini"])
  t.match(text, /^#!\/bin\/sh\n# piku-hooks sandbox: a web.1 x \(generated\)\n#.*\nunset UWSGI_RELOADS\nexec '\/bin\/echo' '--die-with-parent'/)
  const dir = t.testdir({})
  writeFileSync(join(dir, 'w.sh'), text, { mode: 0o700 })
  const out = execFileSync('/bin/sh', [join(dir, 'w.sh')]).toString()
  t.match(out, /-- \/usr\/bin\/uwsgi --ini \/h\/it's\.ini\n$/, 'sh hands every argument over as it was')
})
