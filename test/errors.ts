// errors: Result values, unwrap, and isErrno (the expected failures a narrow catch answers).
import t from 'tap'
import { fail, isErrno, ok, unwrap, UserError } from '../lib/errors.js'

t.test('unwrap: the value, or a UserError with every error one a line', async (t) => {
  t.equal(unwrap(ok(3)), 3)
  t.throws(() => unwrap(fail('a:1: bad', 'a:2: worse')), new UserError('a:1: bad\na:2: worse'))
})

t.test('isErrno: only a system error with one of the codes', async (t) => {
  const enoent = Object.assign(new Error('no such file'), { code: 'ENOENT' })
  t.ok(isErrno(enoent, 'ENOENT'))
  t.ok(isErrno(enoent, 'ENOTDIR', 'ENOENT'))
  t.notOk(isErrno(enoent, 'EACCES'))
  t.notOk(isErrno(new Error('plain'), 'ENOENT'))
  t.notOk(isErrno(undefined, 'ENOENT'))
  t.notOk(isErrno('ENOENT', 'ENOENT'))
})
