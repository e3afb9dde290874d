// audit: the audit line (one JSON line, no control characters, clipped), what each verb records, rotation.
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { AUDIT_MAX_BYTES, needsRotation, recordAudit, redactMessage, renderAuditLine } from '../../lib/state/audit.js'
import { findVerb } from '../../lib/verbs/index.js'

/** What verb `name` called with `args` records in the audit log (the table's audit, as ssh-command asks it). */
const describeAction = (name: string, args: string[]): string | undefined => findVerb(name)?.audit?.(args)

t.test('renderAuditLine: one line whatever the fields hold', async (t) => {
  const line = renderAuditLine({ time: 't', key: 'ci', action: 'config:set', app: 'web', detail: 'set A\nB', outcome: 'failed', message: 'first\nsecond' })
  t.equal(line.split('\n').length, 2, 'exactly one newline, at the end')
  t.same(JSON.parse(line), { time: 't', key: 'ci', action: 'config:set', app: 'web', detail: 'set A\nB', outcome: 'failed', message: 'first' })
  const long = JSON.parse(renderAuditLine({ time: 't', key: 'k', action: 'run', detail: 'x'.repeat(2000), outcome: 'ok' }))
  t.equal(long.detail.length, 501)
})

t.test('describeAction: what changed, never a config value', async (t) => {
  t.equal(describeAction('config:set', ['web', 'SECRET=hunter2', 'B=2']), 'set SECRET B')
  t.equal(describeAction('config:unset', ['web', 'A', 'B']), 'unset A B')
  t.equal(describeAction('ps:scale', ['web', 'web=2', 'worker=0']), 'web=2 worker=0')
  t.equal(describeAction('rollback', ['web', 'v3']), 'v3')
  t.equal(describeAction('destroy', ['web', '--data']), '--data')
  t.equal(describeAction('deploy', ['web']), '')
  t.equal(describeAction('stop', ['web']), '')
  t.equal(describeAction('keys:add', ['ci', 'deploy', 'web']), 'ci deploy web')
  t.equal(describeAction('keys:remove', ['ci']), 'ci')
  t.equal(describeAction('backup', ['web']), '')
  t.equal(describeAction('restore', ['web', '--force']), 'web --force')
  t.equal(describeAction('maintenance:on', ['web']), '')
  t.equal(describeAction('maintenance:off', ['web']), '')
  t.equal(describeAction('auth:add', ['web', 'alice']), 'alice')
  t.equal(describeAction('auth:add', ['web', 'alice', 'typed-the-password-here']), 'alice', 'a password given as an argument by mistake is not recorded')
  t.equal(describeAction('auth:remove', ['web', 'alice']), 'alice')
  t.equal(describeAction('auth', ['web']), undefined)
  for (const quiet of ['apps', 'ps', 'logs', 'releases', 'config', 'config:get', 'config:live', 'keys', 'certs', 'doctor', 'help']) t.equal(describeAction(quiet, ['web']), undefined, quiet)
})

t.test('needsRotation: only past the cap, never for an empty log', async (t) => {
  t.notOk(needsRotation(0, 10))
  t.notOk(needsRotation(AUDIT_MAX_BYTES - 10, 10))
  t.ok(needsRotation(AUDIT_MAX_BYTES - 10, 11))
})

t.test('recordAudit: appends 0600 JSON lines under logs/, rotates to one .old', async (t) => {
  const root = t.testdir({})
  recordAudit({ key: 'ci', action: 'deploy', app: 'web', detail: '', outcome: 'ok', time: '2024-01-01T00:00:00.000Z' }, root)
  recordAudit({ key: 'ci', action: 'stop', app: 'web', detail: '', outcome: 'refused', message: 'no' }, root)
  const file = join(root, 'logs', '.audit.log')
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  t.match(lines, [{ time: '2024-01-01T00:00:00.000Z', key: 'ci', action: 'deploy', outcome: 'ok' }, { action: 'stop', outcome: 'refused', message: 'no', time: /^\d{4}-/ }])
  t.equal(statSync(file).mode & 0o777, 0o600)
  t.equal(statSync(join(root, 'logs')).mode & 0o777, 0o700)
  writeFileSync(file, 'x'.repeat(AUDIT_MAX_BYTES))
  recordAudit({ key: 'ci', action: 'deploy', app: 'web', detail: '', outcome: 'ok' }, root)
  t.ok(existsSync(`${file}.old`))
  t.equal(statSync(`${file}.old`).size, AUDIT_MAX_BYTES)
  t.match(JSON.parse(readFileSync(file, 'utf8')), { action: 'deploy' })
})

t.test('redactMessage: no value of a KEY=VALUE argument survives', async (t) => {
  t.equal(redactMessage(['web', 'bad-key=hunter2'], 'config:set: argument "bad-key=hunter2": config key "bad-key": ...'), 'config:set: argument "bad-key=***": config key "bad-key": ...')
  t.equal(redactMessage(['web', 'A=', 'B'], 'unchanged A= B'), 'unchanged A= B')
  t.equal(redactMessage(['web=2'], 'web=2 is too many'), 'web=*** is too many')
})
