// errors: error shapes owned once. Parsers return Result values; entry points turn UserError into exit codes.

export type Result<T> = { ok: true; value: T } | { ok: false; errors: string[] }

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail<T = never>(...errors: string[]): Result<T> {
  return { ok: false, errors }
}

/** An error whose message a user can act on; `exitCode` is what the entry point exits with. */
export class UserError extends Error {
  exitCode: number
  constructor(message: string, exitCode = 1) {
    super(message)
    this.name = 'UserError'
    this.exitCode = exitCode
  }
}

/** A Result's value, or a UserError whose message is every error, one a line (each names its place). */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value
  throw new UserError(r.errors.join('\n'))
}

/** Whether `e` is a system error whose code is one of `codes` (ENOENT, ENOTDIR, ...): the failures a caller
 *  expects and answers. Anything else (EACCES where access was not in question, EIO, a bug) it rethrows. */
export function isErrno(e: unknown, ...codes: string[]): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined
  return typeof code === 'string' && codes.includes(code)
}
