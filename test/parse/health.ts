import t from 'tap'
import { parseHealthStatus, parseHealthContent, judgeHealth, describeAnswer, describeStatusRule } from '../../lib/parse/health.js'
import { parseHealth } from '../../lib/parse/settings.js'

t.test('parseHealthStatus: single statuses, ranges, Nxx and lists', async (t) => {
  t.same(parseHealthStatus(undefined), { ok: true, value: undefined })
  t.same(parseHealthStatus('  '), { ok: true, value: undefined })
  t.same(parseHealthStatus('200'), { ok: true, value: [[200, 200]] })
  t.same(parseHealthStatus('200-399'), { ok: true, value: [[200, 399]] })
  t.same(parseHealthStatus('200, 204,301 - 302'), { ok: true, value: [[200, 200], [204, 204], [301, 302]] })
  t.same(parseHealthStatus('2xx,3XX'), { ok: true, value: [[200, 299], [300, 399]] })
})

t.test('parseHealthStatus: anything else is refused, naming the key', async (t) => {
  for (const v of ['ok', '200-', '99', '600', '399-200', '200,,204', '6xx', '2000', '200 204']) {
    const r = parseHealthStatus(v)
    t.equal(r.ok, false, v)
    if (!r.ok) t.match(r.errors[0], /^PIKU_HEALTH_STATUS=".*": expected HTTP statuses such as 200, 200-399, 2xx or 200,204/)
  }
})

t.test('parseHealthContent: one line of text', async (t) => {
  t.same(parseHealthContent(undefined), { ok: true, value: undefined })
  t.same(parseHealthContent('"status": "ok"'), { ok: true, value: '"status": "ok"' })
  t.equal(parseHealthContent('a\nb').ok, false)
  t.equal(parseHealthContent('x'.repeat(201)).ok, false)
})

t.test('parseHealth: the strict parts are kept only when set', async (t) => {
  t.same(parseHealth({ PIKU_HEALTH_STATUS: '200-399', PIKU_HEALTH_CONTENT: 'ready' }), { ok: true, value: { path: '/', timeout: 30, status: [[200, 399]], content: 'ready' } })
  const bad = parseHealth({ PIKU_HEALTH_STATUS: 'x', PIKU_HEALTH_TIMEOUT: '0' })
  t.equal(bad.ok, false)
  if (!bad.ok) t.equal(bad.errors.length, 2, 'every bad value is reported')
})

t.test('judgeHealth: the default takes anything below 500; a rule is strict', async (t) => {
  t.equal(judgeHealth({ status: 404, body: '' }, {}), undefined)
  t.equal(judgeHealth({ status: 302, body: '' }, {}), undefined)
  t.equal(judgeHealth({ status: 500, body: '' }, {}), 'status 500, expected below 500')
  t.equal(judgeHealth({ status: 0, body: '' }, {}), 'no answer')
  const rule = { status: [[200, 399]] as [number, number][] }
  t.equal(judgeHealth({ status: 404, body: '' }, rule), 'status 404, expected 200-399 (PIKU_HEALTH_STATUS)')
  t.equal(judgeHealth({ status: 399, body: '' }, rule), undefined)
  t.equal(judgeHealth({ status: 200, body: 'all fine' }, { content: 'fine' }), undefined)
  t.equal(judgeHealth({ status: 200, body: 'starting' }, { content: 'fine' }), 'the body does not contain "fine" (PIKU_HEALTH_CONTENT)')
  t.equal(judgeHealth({ status: 503, body: 'fine' }, { content: 'fine' }), 'status 503, expected below 500', 'the status is judged first')
})

t.test('describeAnswer and describeStatusRule: short, one line', async (t) => {
  t.equal(describeAnswer({ status: 404, body: 'Not\n  Found\n' }), '404 "Not Found"')
  t.equal(describeAnswer({ status: 204, body: '' }), '204 (empty body)')
  t.equal(describeAnswer({ status: 0, body: '' }), 'nothing answered')
  t.equal(describeAnswer({ status: 200, body: 'x'.repeat(200) }), `200 "${'x'.repeat(80)}…"`)
  t.equal(describeStatusRule({ status: [[200, 200], [300, 399]] }), '200,300-399')
  t.equal(describeStatusRule({}), 'below 500')
})
