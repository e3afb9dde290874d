// verb-header: the names an admin verb may have and what its header says (role, help).
import t from 'tap'
import { VERB_NAME, parseVerbHeader } from '../../lib/parse/verb-header.js'

t.test('VERB_NAME: the built-in verbs\' grammar', async (t) => {
  for (const ok of ['deploy-all', 'db:dump', 'x', 'stats2']) t.match(ok, VERB_NAME, ok)
  for (const bad of ['', 'Deploy', '-x', 'a:b:c', 'a b', '../x', 'x.sh', 'a:', ':a', 'x'.repeat(40)]) t.notMatch(bad, VERB_NAME, JSON.stringify(bad))
})

t.test('parseVerbHeader: role and help from the leading # or // comments', async (t) => {
  t.same(parseVerbHeader('#!/bin/sh\n# role: read\n# help: show the disk use of an app\necho\n', 'v'), { ok: true, value: { role: 'read', help: 'show the disk use of an app' } })
  t.same(parseVerbHeader('#!/usr/bin/env zx\n// deploy every app\n// role: deploy\n// help: redeploy one app\nawait $`true`\n', 'v'), { ok: true, value: { role: 'deploy', help: 'redeploy one app' } })
  t.same(parseVerbHeader('#!/bin/sh\necho hi\n# role: read\n', 'v'), { ok: true, value: { role: 'admin', help: '' } }, 'only the header counts; admin by default')
  t.same(parseVerbHeader('#!/bin/sh\n\n# Role: Admin\n', 'v').ok, false, 'roles are lower case')
  const bad = parseVerbHeader('#!/bin/sh\n# help: x\n# role: root\n', '~/verbs/x')
  t.same(bad, { ok: false, errors: ['~/verbs/x:3: role must be read, deploy or admin, not "root"'] })
  const ctl = parseVerbHeader('# help: a\x1b[31mred\x07\n', 'v')
  t.ok(ctl.ok && !/[\x00-\x1f]/.test(ctl.value.help), 'control characters never reach help')
})
