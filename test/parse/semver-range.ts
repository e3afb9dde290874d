import t from 'tap'
import { parseRange, parseVersion, satisfies, exactVersion, type Version } from '../../lib/parse/semver-range.js'

const check = (range: string, yes: string[], no: string[]) => {
  const r = parseRange(range, 'engines.node')
  if (!r.ok) throw new Error(r.errors[0])
  for (const v of yes) t.ok(satisfies(parseVersion(v) as Version, r.value), `${v} satisfies ${range}`)
  for (const v of no) t.notOk(satisfies(parseVersion(v) as Version, r.value), `${v} does not satisfy ${range}`)
}

t.test('semver: exact versions and x-ranges', async () => {
  check('20.11.1', ['20.11.1', 'v20.11.1'], ['20.11.0', '20.11.2'])
  check('=v18.19.0', ['18.19.0'], ['18.19.1'])
  check('20', ['20.0.0', '20.99.3'], ['19.9.9', '21.0.0'])
  check('18.x', ['18.0.0', '18.20.4'], ['19.0.0', '17.9.0'])
  check('18.19.*', ['18.19.0', '18.19.7'], ['18.20.0'])
  check('*', ['0.0.1', '22.1.0'], [])
  check('', ['18.0.0'], [])
  check('x', ['18.0.0'], [])
})

t.test('semver: caret and tilde', async () => {
  check('^18.17', ['18.17.0', '18.20.4'], ['18.16.9', '19.0.0'])
  check('^1.2.3', ['1.2.3', '1.9.0'], ['1.2.2', '2.0.0'])
  check('^0.2.3', ['0.2.3', '0.2.9'], ['0.3.0'])
  check('^0.0.3', ['0.0.3'], ['0.0.4'])
  check('^0.x', ['0.9.9'], ['1.0.0'])
  check('~18.19.1', ['18.19.1', '18.19.9'], ['18.20.0', '18.19.0'])
  check('~18', ['18.5.0'], ['19.0.0'])
  check('~> 18.2', ['18.2.5'], ['18.3.0'])
})

t.test('semver: comparators, sets, hyphens and ||', async () => {
  check('>=18', ['18.0.0', '22.0.0'], ['17.9.9'])
  check('>= 18.2 <21', ['18.2.0', '20.99.0'], ['18.1.9', '21.0.0'])
  check('>18', ['19.0.0'], ['18.99.99'])
  check('>18.2.3', ['18.2.4'], ['18.2.3'])
  check('<=18', ['18.9.9'], ['19.0.0'])
  check('<18.2', ['18.1.9'], ['18.2.0'])
  check('16 - 18', ['16.0.0', '18.9.9'], ['15.9.9', '19.0.0'])
  check('16.2.1 - 18.3', ['16.2.1', '18.3.9'], ['16.2.0', '18.4.0'])
  check('^16 || ^18 || >=20.1', ['16.1.0', '18.0.0', '20.1.0', '22.0.0'], ['17.0.0', '20.0.9'])
})

t.test('semver: what is not a range is refused, naming the setting', async (t) => {
  for (const bad of ['abc', '18.x.1.2', '>=18-beta', '^', '18.01', 'latest', '1 - ', '>=1.2.3-rc.1']) {
    const r = parseRange(bad, 'package.json engines.node')
    t.equal(r.ok, false, bad)
    if (!r.ok) t.match(r.errors[0], /^package\.json engines\.node ".*": not a version range/)
  }
})

t.test('semver: versions and exact versions', async (t) => {
  t.same(parseVersion('v20.11.1\n'), [20, 11, 1])
  t.same(parseVersion('18.19.0-nightly'), [18, 19, 0])
  t.equal(parseVersion('20'), undefined)
  t.equal(exactVersion('18.19.0'), '18.19.0')
  t.equal(exactVersion('=v18.19.0'), '18.19.0')
  t.equal(exactVersion('18'), undefined)
  t.equal(exactVersion('^18.19.0'), undefined)
})

t.test('node version: NODE_VERSION wins over engines.node; none means the host\'s', async (t) => {
  const { readNodeRequirement } = await import('../../lib/parse/node-version.js')
  t.same(readNodeRequirement({ NODE_VERSION: ' 18 ' }, { engines: { node: '>=20' } }), { text: '18', where: 'NODE_VERSION' })
  t.same(readNodeRequirement({}, { engines: { node: '>=20' } }), { text: '>=20', where: 'package.json engines.node' })
  t.equal(readNodeRequirement({}, { engines: { node: 20 } }), undefined)
  t.equal(readNodeRequirement({}, null), undefined)
})

t.test('node version: the host\'s node when it satisfies, nodeenv for an exact other, else one line', async (t) => {
  const { planNodeVersion } = await import('../../lib/parse/node-version.js')
  const eng = (text: string) => ({ text, where: 'package.json engines.node' })
  t.same(planNodeVersion(undefined, 'v20.11.1', false), { ok: true, value: { use: 'host' } })
  t.match(planNodeVersion(eng('^20 || ^22'), 'v20.11.1', false), { ok: true, value: { use: 'host' } })
  t.same(planNodeVersion({ text: '16.20.2', where: 'NODE_VERSION' }, 'v20.11.1', true), { ok: true, value: { use: 'nodeenv', version: '16.20.2' } })
  t.same(planNodeVersion(eng('>=22'), 'v20.11.1', false), {
    ok: false,
    errors: ['package.json engines.node ">=22": the app needs Node >=22, this host has v20.11.1; install nodeenv on the host (apt install nodeenv) to let piku-hooks fetch it, or change package.json engines.node'],
  })
  t.same(planNodeVersion(eng('>=22'), 'v20.11.1', true), {
    ok: false,
    errors: ['package.json engines.node ">=22": the app needs Node >=22, this host has v20.11.1; nodeenv fetches only an exact version (such as 18.20.4): set NODE_VERSION to one'],
  })
  t.match(planNodeVersion({ text: 'lts', where: 'NODE_VERSION' }, 'v20.11.1', true), { ok: false, errors: [/^NODE_VERSION "lts": not a version range/] })
})
