import t from 'tap'
import { describeDeployBranch, isDeployBranch, parseRefUpdates, parseDeployBranch, planDeployBranch } from '../../lib/parse/refs.js'

const A = 'a'.repeat(40)
const B = '0123456789abcdef0123456789abcdef01234567'
const Z = '0'.repeat(40)
const A256 = 'a'.repeat(64)
const Z256 = '0'.repeat(64)

t.test('parseRefUpdates: an update, a creation and a deletion', async t => {
  t.same(parseRefUpdates(`${A} ${B} refs/heads/main\n${Z} ${A} refs/heads/feature/x\n${B} ${Z} refs/tags/v1\n`), {
    ok: true,
    value: [
      { oldSha: A, newSha: B, ref: 'refs/heads/main', branch: 'main', created: false, deleted: false },
      { oldSha: Z, newSha: A, ref: 'refs/heads/feature/x', branch: 'feature/x', created: true, deleted: false },
      { oldSha: B, newSha: Z, ref: 'refs/tags/v1', created: false, deleted: true },
    ],
  })
})

t.test('parseRefUpdates: SHA-256 repositories, uppercase, CRLF, empty input', async t => {
  t.same(parseRefUpdates(`${Z256} ${A256} refs/heads/master\r\n`), {
    ok: true,
    value: [{ oldSha: Z256, newSha: A256, ref: 'refs/heads/master', branch: 'master', created: true, deleted: false }],
  })
  const r = parseRefUpdates(`${B.toUpperCase()} ${A} refs/heads/main`)
  t.equal(r.ok && r.value[0].oldSha, B)
  t.same(parseRefUpdates(''), { ok: true, value: [] })
  t.same(parseRefUpdates('\n\n'), { ok: true, value: [] })
})

t.test('parseRefUpdates: malformed lines, all reported', async t => {
  t.same(parseRefUpdates(`${A} ${B}\n${A} ${B} refs/heads/a b\nxyz ${B} refs/heads/main\n${A}  ${B} refs/heads/main`, 'pre-receive'), {
    ok: false,
    errors: [
      `pre-receive:1: expected "<old-sha> <new-sha> <ref>" from git, got "${A} ${B}"`,
      `pre-receive:2: expected "<old-sha> <new-sha> <ref>" from git, got "${A} ${B} refs/heads/a b"`,
      `pre-receive:3: expected "<old-sha> <new-sha> <ref>" from git, got "xyz ${B} refs/heads/main"`,
      `pre-receive:4: expected "<old-sha> <new-sha> <ref>" from git, got "${A}  ${B} refs/heads/main"`,
    ],
  })
  const long = parseRefUpdates('x'.repeat(1000))
  t.equal(!long.ok && long.errors[0].length < 300, true, 'long garbage is cut short')
})

t.test('parseRefUpdates: mixed lengths and all-zero lines', async t => {
  t.same(parseRefUpdates(`${A} ${A256} refs/heads/main\n${Z} ${Z} refs/heads/main`), {
    ok: false,
    errors: [
      'ref updates:1: the old and new object names have different lengths (40 and 64)',
      'ref updates:2: both object names are zero for refs/heads/main',
    ],
  })
})

t.test('parseRefUpdates: ref names git would not send', async t => {
  const bad = [
    'HEAD',
    'heads/main',
    'refs/heads/',
    'refs/heads/a.',
    'refs/heads/a..b',
    'refs/heads/.hidden',
    'refs/heads/a.lock',
    'refs/heads//a',
    'refs/heads/a@{1}',
    'refs/heads/a~1',
    'refs/heads/a^',
    'refs/heads/a:b',
    'refs/heads/a?',
    'refs/heads/a*',
    'refs/heads/a[b',
    'refs/heads/a\\b',
    'refs/heads/a\x7f',
  ]
  for (const ref of bad) {
    const r = parseRefUpdates(`${A} ${B} ${ref}`)
    t.same(r, { ok: false, errors: [`ref updates:1: ${JSON.stringify(ref)} is not a ref name git would send`] }, ref)
  }
  t.ok(parseRefUpdates(`${A} ${B} refs/heads/fix-1.2_x@home`).ok)
})

t.test('isDeployBranch: main and master only', async t => {
  t.same(
    ['refs/heads/main', 'refs/heads/master', 'refs/heads/dev', 'refs/tags/main', 'main', 'refs/heads/main/x'].map((r) => isDeployBranch(r)),
    [true, true, false, false, false, false],
  )
})

t.test('isDeployBranch: PIKU_DEPLOY_BRANCH names the one branch that deploys', async t => {
  t.equal(isDeployBranch('refs/heads/production', 'production'), true)
  t.equal(isDeployBranch('refs/heads/main', 'production'), false)
  t.equal(isDeployBranch('refs/heads/master', 'production'), false)
  t.equal(isDeployBranch('refs/tags/production', 'production'), false)
  t.equal(isDeployBranch('refs/heads/main', undefined), true)
})

t.test('parseDeployBranch: branch names git accepts; empty is unset', async t => {
  t.same(parseDeployBranch(''), { ok: true, value: undefined })
  t.same(parseDeployBranch(undefined), { ok: true, value: undefined })
  t.same(parseDeployBranch(' production '), { ok: true, value: 'production' })
  t.same(parseDeployBranch('release/2.x'), { ok: true, value: 'release/2.x' })
  t.same(parseDeployBranch('refs/heads/live'), { ok: true, value: 'live' })
  for (const bad of ['a..b', 'a b', '-x', 'x.lock', 'HEAD', 'a:b', 'x/', '.hidden', 'a~1']) {
    t.same(parseDeployBranch(bad), { ok: false, errors: [`PIKU_DEPLOY_BRANCH=${JSON.stringify(bad)}: expected a branch name such as production`] }, bad)
  }
})

t.test('planDeployBranch: config:set values win over the commit\'s ENV', async t => {
  t.same(planDeployBranch(undefined, undefined), { ok: true, value: undefined })
  t.same(planDeployBranch(undefined, 'A=1\nPIKU_DEPLOY_BRANCH=production\n'), { ok: true, value: 'production' })
  t.same(planDeployBranch('PIKU_DEPLOY_BRANCH=main\n', 'PIKU_DEPLOY_BRANCH=production\n'), { ok: true, value: 'main' })
  t.same(planDeployBranch('OTHER=1\n', 'PIKU_DEPLOY_BRANCH=production\n'), { ok: true, value: 'production' })
  t.same(planDeployBranch('PIKU_DEPLOY_BRANCH=\n', 'PIKU_DEPLOY_BRANCH=production\n'), { ok: true, value: 'production' }, 'empty is unset')
  t.same(planDeployBranch(undefined, 'not an env line\nPIKU_DEPLOY_BRANCH=production\n'), { ok: true, value: undefined }, 'a broken ENV names nothing (the build reports it)')
  t.same(planDeployBranch(undefined, 'PIKU_DEPLOY_BRANCH=a..b\n'), { ok: false, errors: ['ENV: PIKU_DEPLOY_BRANCH="a..b": expected a branch name such as production'] })
})

t.test('describeDeployBranch: what a push is told about the branch it deploys from', async (t) => {
  t.equal(describeDeployBranch(), 'main or master')
  t.equal(describeDeployBranch('production'), 'production (PIKU_DEPLOY_BRANCH)')
})
