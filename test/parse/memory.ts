// parse/memory: sizes, which setting caps which kind, one-line errors naming the key, Node's heap limit.
import t from 'tap'
import { formatSize, heapLimitMb, memoryKey, parseSize, planMemoryCaps, withHeapLimit } from '../../lib/parse/memory.js'

const MiB = 1024 ** 2

t.test('parseSize: a whole number and K, M or G, binary, from 8M to 1024G', async (t) => {
  t.equal(parseSize('96M'), 96 * MiB)
  t.equal(parseSize('1G'), 1024 * MiB)
  t.equal(parseSize(' 512m '), 512 * MiB, 'either case, spaces trimmed')
  t.equal(parseSize('16384K'), 16 * MiB)
  t.equal(parseSize('8M'), 8 * MiB, 'the smallest')
  t.equal(parseSize('1024G'), 1024 ** 4, 'the largest')
  for (const bad of ['', '96', '96MB', '96 M', '1.5G', '-1M', '7M', '1025G', 'M', '0x10M', '96Mi', '1T']) t.equal(parseSize(bad), undefined, JSON.stringify(bad))
})

t.test('formatSize: the largest unit that divides it', async (t) => {
  t.equal(formatSize(96 * MiB), '96M')
  t.equal(formatSize(2048 * MiB), '2G')
  t.equal(formatSize(1536 * 1024), '1536K')
  t.equal(formatSize(1000), '1000B')
})

t.test('memoryKey: the kind in upper case, - as _', async (t) => {
  t.equal(memoryKey('worker'), 'PIKU_MEMORY_MAX_WORKER')
  t.equal(memoryKey('my-job_2'), 'PIKU_MEMORY_MAX_MY_JOB_2')
})

t.test('planMemoryCaps: PIKU_MEMORY_MAX caps every kind, PIKU_MEMORY_MAX_<KIND> wins for its kind', async (t) => {
  t.same(planMemoryCaps({}, ['web', 'worker']), { ok: true, value: {} })
  t.same(planMemoryCaps({ PIKU_MEMORY_MAX: '256M', PIKU_MEMORY_MAX_WORKER: '96M' }, ['web', 'worker']), {
    ok: true,
    value: {
      web: { bytes: 256 * MiB, key: 'PIKU_MEMORY_MAX', value: '256M' },
      worker: { bytes: 96 * MiB, key: 'PIKU_MEMORY_MAX_WORKER', value: '96M' },
    },
  })
  t.same(planMemoryCaps({ PIKU_MEMORY_MAX_MY_JOB: '1G' }, ['web', 'my-job']), { ok: true, value: { 'my-job': { bytes: 1024 * MiB, key: 'PIKU_MEMORY_MAX_MY_JOB', value: '1G' } } })
  t.same(planMemoryCaps({ PIKU_MEMORY_MAX: '', PIKU_MEMORY_MAX_WEB: ' ' }, ['web']), { ok: true, value: {} }, 'an empty value is unset')
})

t.test('planMemoryCaps: every bad value and every key naming no kind is one line naming the key', async (t) => {
  const r = planMemoryCaps({ PIKU_MEMORY_MAX: '96MB', PIKU_MEMORY_MAX_WORKER: 'lots', PIKU_MEMORY_MAX_WROKER: '96M' }, ['web', 'worker'])
  t.same(r, {
    ok: false,
    errors: [
      'PIKU_MEMORY_MAX="96MB": expected a size such as 96M or 1G (a whole number, then K, M or G; from 8M to 1024G)',
      'PIKU_MEMORY_MAX_WORKER="lots": expected a size such as 96M or 1G (a whole number, then K, M or G; from 8M to 1024G)',
      'PIKU_MEMORY_MAX_WROKER: this app has no process kind "wroker" to cap (its kinds: web, worker); use PIKU_MEMORY_MAX_WEB or PIKU_MEMORY_MAX_WORKER',
    ],
  })
  if (!r.ok) for (const e of r.errors) t.notMatch(e, /\n/)
})

t.test('heapLimitMb and withHeapLimit: 75% of the cap, unless NODE_OPTIONS already sets one', async (t) => {
  t.equal(heapLimitMb(96 * MiB), 72)
  t.equal(heapLimitMb(8 * MiB), 8, 'never below 8')
  t.equal(withHeapLimit(undefined, 96 * MiB), '--max-old-space-size=72')
  t.equal(withHeapLimit('--enable-source-maps', 1024 * MiB), '--enable-source-maps --max-old-space-size=768')
  t.equal(withHeapLimit('--max-old-space-size=300', 96 * MiB), '--max-old-space-size=300', "the app's own choice stays")
})
