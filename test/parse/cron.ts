import t from 'tap'
import { MAX_CRON_LINES, parseCronSchedule, renderUwsgiCron } from '../../lib/parse/cron.js'

const render = (s: string) => {
  const r = parseCronSchedule(s.split(' '), 'Procfile:4')
  if (!r.ok) throw new Error(r.errors.join('; '))
  return renderUwsgiCron(r.value)
}
const errors = (s: string) => {
  const r = parseCronSchedule(s === '' ? [] : s.split(' '), 'Procfile:4')
  if (r.ok) throw new Error(`expected an error for ${s}`)
  return r.errors
}

t.test('renderUwsgiCron: native forms', async t => {
  t.same(render('*/5 * * * *'), ['-5 -1 -1 -1 -1'])
  t.same(render('* * * * *'), ['-1 -1 -1 -1 -1'])
  t.same(render('0 9 * * 1'), ['0 9 -1 -1 1'])
  t.same(render('*/1 */2 * * */2'), ['-1 -2 -1 -1 -2'])
  t.same(render('59 23 31 12 6'), ['59 23 31 12 6'])
})

t.test('renderUwsgiCron: lists and ranges expand to the cartesian product', async t => {
  const lines = render('0,30 9-10 * * 1-5')
  t.equal(lines.length, 20)
  t.same(lines.slice(0, 6), [
    '0 9 -1 -1 1',
    '0 9 -1 -1 2',
    '0 9 -1 -1 3',
    '0 9 -1 -1 4',
    '0 9 -1 -1 5',
    '0 10 -1 -1 1',
  ])
  t.equal(lines[19], '30 10 -1 -1 5')
  t.same(render('0-10/5 0 1 1 *'), ['0 0 1 1 -1', '5 0 1 1 -1', '10 0 1 1 -1'])
  t.same(render('0 0 1 1,1,2 *'), ['0 0 1 1 -1', '0 0 1 2 -1'], 'duplicates collapse')
})

t.test('renderUwsgiCron: day and month steps expand (uwsgi -N means divisible by N)', async t => {
  t.same(render('0 0 */10 * *'), ['0 0 1 -1 -1', '0 0 11 -1 -1', '0 0 21 -1 -1', '0 0 31 -1 -1'])
  t.same(render('0 0 1 */3 *'), ['0 0 1 1 -1', '0 0 1 4 -1', '0 0 1 7 -1', '0 0 1 10 -1'])
  t.same(render('0 0 1 */12 *'), ['0 0 1 1 -1'], 'a step that leaves one value is that value')
})

t.test('renderUwsgiCron: weekday 7 is Sunday', async t => {
  t.same(render('0 0 * * 7'), ['0 0 -1 -1 0'])
  t.same(render('0 0 * * 0,7'), ['0 0 -1 -1 0'])
  t.same(render('0 0 * * 5-7'), ['0 0 -1 -1 0', '0 0 -1 -1 5', '0 0 -1 -1 6'])
  t.same(render('0 0 * * */3'), ['0 0 -1 -1 -3'])
  t.same(render('0 0 * * */7'), ['0 0 -1 -1 0'])
})

t.test('renderUwsgiCron: restricted day and weekday stay numbers (ORed, as cron does)', async t => {
  t.same(render('0 0 1,15 * 1'), ['0 0 1 -1 1', '0 0 15 -1 1'])
  t.same(render('0 0 1-31 * 1').length, 31, 'a full range written out is not *')
  t.same(render('0 0 */2 * *').length, 16)
  t.same(render('0 0 */2 * */2').length, 16, 'weekday starting with * may pair with a day step')
})

t.test('parseCronSchedule: keeps the fields as written', async t => {
  const r = parseCronSchedule(['*/5', '*', '1-3', '*', '0,7'], 'x')
  t.ok(r.ok)
  if (!r.ok) return
  t.equal(r.value.text, '*/5 * 1-3 * 0,7')
  t.same(
    r.value.fields.map(f => f.name),
    ['minute', 'hour', 'day', 'month', 'weekday'],
  )
  t.same(r.value.fields[2], { name: 'day', source: '1-3', values: [1, 2, 3], uwsgi: [1, 2, 3] })
  t.same(r.value.fields[4].values, [0])
})

t.test('parseCronSchedule: out of range', async t => {
  t.same(errors('61 * * * *'), ['Procfile:4: cron minute "61" is out of range 0-59'])
  t.same(errors('0 24 * * *'), ['Procfile:4: cron hour "24" is out of range 0-23'])
  t.same(errors('0 0 0 * *'), ['Procfile:4: cron day "0" is out of range 1-31'])
  t.same(errors('0 0 * 13 *'), ['Procfile:4: cron month "13" is out of range 1-12'])
  t.same(errors('0 0 * * 8'), ['Procfile:4: cron weekday "8" is out of range 0-7'])
  t.same(errors('0-60 * * * *'), ['Procfile:4: cron minute "60" is out of range 0-59'])
})

t.test('parseCronSchedule: collects every field error', async t => {
  t.same(errors('61 24 * * *'), [
    'Procfile:4: cron minute "61" is out of range 0-59',
    'Procfile:4: cron hour "24" is out of range 0-23',
  ])
  t.equal(errors('61,62 * * * *').length, 2)
})

t.test('parseCronSchedule: reversed ranges and bad steps', async t => {
  t.same(errors('0 10-9 * * *'), ['Procfile:4: cron hour "10-9": the range "10-9" is reversed; write the smaller number first'])
  t.same(errors('*/0 * * * *'), ['Procfile:4: cron minute "*/0": step "0" must be from 1 to 60'])
  t.same(errors('0 */25 * * *'), ['Procfile:4: cron hour "*/25": step "25" must be from 1 to 24'])
  t.same(errors('5/15 * * * *'), [
    'Procfile:4: cron minute "5/15": "5/15" is not understood; write a range before the step, e.g. "5-59/15"',
  ])
})

t.test('parseCronSchedule: names, @daily and garbage', async t => {
  const forms = 'expected *, N, */N, a-b or a-b/N, or a comma list of those'
  t.same(errors('0 0 * * mon'), [`Procfile:4: cron weekday "mon": "mon" is not understood; ${forms}`])
  t.same(errors('0 0 * jan *'), [`Procfile:4: cron month "jan": "jan" is not understood; ${forms}`])
  t.same(errors('1,,2 * * * *'), [`Procfile:4: cron minute "1,,2": has an empty list item; ${forms}`])
  t.same(errors('-1 * * * *'), [`Procfile:4: cron minute "-1": "-1" is not understood; ${forms}`])
  t.same(errors('@daily'), [
    'Procfile:4: cron schedule "@daily" is not supported; write five fields, e.g. "0 0 * * *" for daily',
  ])
})

t.test('parseCronSchedule: wrong number of fields', async t => {
  t.same(errors('* * * *'), [
    'Procfile:4: cron needs five schedule fields (minute hour day month weekday) before the command, got 4',
  ])
  t.match(errors('')[0], /got 0$/)
})

t.test('parseCronSchedule: day step with a restricted weekday cannot be expressed', async t => {
  t.same(errors('0 0 */2 * 1'), [
    'Procfile:4: cron day "*/2" together with weekday "1" cannot be expressed in uwsgi; use * for one of them or list the days without *',
  ])
  t.same(errors('0 0 1 * */2,3'), [
    'Procfile:4: cron weekday "*/2,3" together with day "1" cannot be expressed in uwsgi; use * for one of them or list the weekdays without *',
  ])
})

t.test('parseCronSchedule: refuses schedules expanding past the limit', async t => {
  t.equal(MAX_CRON_LINES, 500)
  t.equal(render('0-49 0-9 * * *').length, 500)
  t.same(errors('0-59 0-9 * * *'), [
    'Procfile:4: cron schedule "0-59 0-9 * * *" expands to 600 uwsgi cron lines (at most 500); use */N steps or shorter lists',
  ])
})
