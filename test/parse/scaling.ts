import t from 'tap'
import { MAX_SCALE, parseScaleArgs, parseScaling, planScaling, renderScaling } from '../../lib/parse/scaling.js'

t.test('parseScaling: both separators, comments and blanks', async t => {
  t.same(parseScaling('# saved by ps:scale\nweb=2\n\n worker : 0 \r\ncron1:1\n'), {
    ok: true,
    value: { web: 2, worker: 0, cron1: 1 },
  })
  t.same(parseScaling(''), { ok: true, value: {} })
})

t.test('parseScaling: errors name the line, all reported', async t => {
  t.same(parseScaling('web 2\nbad kind=1\nweb=two\nworker=33\nweb=1\nweb=3', 'config/app/SCALING'), {
    ok: false,
    errors: [
      'config/app/SCALING:1: expected "kind=count", got "web 2"',
      `config/app/SCALING:2: kind "bad kind": start with a letter, then use letters, digits, '-' and '_' (at most 32 characters)`,
      'config/app/SCALING:3: count "two" for "web": expected a whole number from 0 to 32',
      'config/app/SCALING:4: count "33" for "worker": expected a whole number from 0 to 32',
      'config/app/SCALING:6: "web" is already scaled on line 5; keep one',
    ],
  })
})

t.test('renderScaling: lines that parse back', async t => {
  const counts = { web: 2, worker: 0, cron: 1 }
  const text = renderScaling(counts)
  t.equal(text, 'web=2\nworker=0\ncron=1\n')
  t.same(parseScaling(text), { ok: true, value: counts })
  t.equal(renderScaling({}), '')
})

const kinds = ['preflight', 'web', 'worker', 'static', 'release', 'cron']

t.test('parseScaleArgs: valid counts', async t => {
  t.same(parseScaleArgs(['web=3', 'worker=0', 'cron=1'], kinds), { ok: true, value: { web: 3, worker: 0, cron: 1 } })
  t.same(parseScaleArgs([`web=${MAX_SCALE}`, 'cron=0'], kinds), { ok: true, value: { web: 32, cron: 0 } })
})

t.test('parseScaleArgs: unknown and unscalable kinds', async t => {
  t.same(parseScaleArgs(['api=2', 'static=1', 'release=1', 'preflight=0'], kinds), {
    ok: false,
    errors: [
      'ps:scale: "api" is not a kind in the Procfile; it has web, worker, cron',
      'ps:scale: "static" has no processes to scale (nginx serves its files)',
      'ps:scale: "release" runs once per deploy and cannot be scaled',
      'ps:scale: "preflight" runs once per deploy and cannot be scaled',
    ],
  })
  t.same(parseScaleArgs(['web=1'], ['static']), {
    ok: false,
    errors: ['ps:scale: "web" is not a kind in the Procfile; it has no scalable kinds'],
  })
})

t.test('parseScaleArgs: bad arguments and counts', async t => {
  t.same(parseScaleArgs(['web', 'web=-1', 'web=33', 'worker=1.5', 'cron=2', 'worker=', 'worker=1', 'worker=2'], kinds), {
    ok: false,
    errors: [
      'ps:scale: argument "web" is not KIND=COUNT, e.g. web=2',
      'ps:scale: argument "web=-1": expected a whole number from 0 to 32',
      'ps:scale: argument "web=33": expected a whole number from 0 to 32',
      'ps:scale: argument "worker=1.5": expected a whole number from 0 to 32',
      'ps:scale: argument "cron=2": a cron kind runs 0 or 1 copies (more would run the job twice)',
      'ps:scale: argument "worker=": expected a whole number from 0 to 32',
      'ps:scale: "worker" is given twice; give it once',
    ],
  })
  t.same(parseScaleArgs([], kinds), { ok: false, errors: ['ps:scale: give at least one KIND=COUNT, e.g. web=2'] })
})

t.test('planScaling: defaults to 1, keeps saved counts, drops removed kinds', async t => {
  t.same(planScaling(kinds, {}), { web: 1, worker: 1, cron: 1 })
  t.same(planScaling(kinds, { web: 3, worker: 0, gone: 4, static: 2 }), { web: 3, worker: 0, cron: 1 })
  t.same(planScaling(['cron2'], { cron2: 5 }), { cron2: 1 }, 'cron is capped at one copy')
  t.same(planScaling(['cron2'], { cron2: 0 }), { cron2: 0 })
  t.same(planScaling(['toString'], {}), { toString: 1 }, 'no prototype lookups')
})
