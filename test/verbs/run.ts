import t from 'tap'
import { planRunCommand, rawAfterWords } from '../../lib/verbs/run.js'

t.test('run: the command line as sent, quotes and pipes kept', async (t) => {
  t.equal(planRunCommand(['run', 'app', 'sh', '-c', 'exit 3'], "run app sh -c 'exit 3'"), "sh -c 'exit 3'")
  t.equal(planRunCommand(['run', 'app', 'ls', '|', 'wc'], 'run   app  ls | wc '), 'ls | wc')
  t.equal(planRunCommand(['run', 'app', 'x'], "'run' 'app' 'x'"), "'x'", 'a client that quotes every word')
})

t.test('run: a leading -- is dropped (piku: run app -- ls -al)', async (t) => {
  t.equal(planRunCommand(['run', 'app', '--', 'ls', '-al'], 'run app -- ls -al'), 'ls -al')
  t.equal(planRunCommand(['run', 'app', '--', 'ls'], undefined), 'ls')
})

t.test('run: without SSH_ORIGINAL_COMMAND the words are joined', async (t) => {
  t.equal(planRunCommand(['run', 'app', 'echo', 'a b'], undefined), 'echo a b')
})

t.test('run: no command', async (t) => {
  t.equal(planRunCommand(['run', 'app'], 'run app'), undefined)
  t.equal(planRunCommand(['run', 'app', '--'], 'run app --'), undefined)
})

t.test('rawAfterWords: only when the raw line starts with those words', async (t) => {
  t.equal(rawAfterWords('run app x', ['run', 'other']), undefined)
  t.equal(rawAfterWords('run "a pp" x', ['run', 'a pp']), 'x')
  t.equal(rawAfterWords('run app', ['run', 'app']), '')
})
