// app-name: one grammar for every name a user gives us (apps, keys, Procfile kinds, config keys).

import { type Result, ok, fail } from '../errors.js'

const APP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/
const KEY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/
const KIND = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/
const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/

/** Show a user's string inside an error message without letting control characters through. */
export function quoteForMessage(raw: string, max = 80): string {
  const shown = raw.length > max ? raw.slice(0, max) + '…' : raw
  return JSON.stringify(shown)
}

/** A plain app name: letters, digits, '-', '_', '.', not starting with '.' or '-', 1..64 ASCII characters. */
export function validateAppName(raw: string): Result<string> {
  if (APP_NAME.test(raw) && raw !== '.' && raw !== '..') return ok(raw)
  return fail(
    `app name ${quoteForMessage(raw)}: use letters, digits, '-', '_' and '.', not starting with '.' or '-' (at most 64 characters)`,
  )
}

/**
 * The repository argument git sends over SSH (`git-receive-pack 'app'`), after splitting:
 * `app`, `/app`, `app.git` and `/app.git` all name the app `app`. `~` and any other `/` are refused.
 */
export function parseRepoArgument(raw: string): Result<string> {
  let name = raw
  if (name.startsWith('/')) name = name.slice(1)
  if (name.includes('/') || name.includes('~')) {
    return fail(`repository ${quoteForMessage(raw)}: use the plain app name, e.g. "piku@host:myapp" (no folders, no "~")`)
  }
  if (name.endsWith('.git')) name = name.slice(0, -'.git'.length)
  const valid = validateAppName(name)
  if (!valid.ok) return fail(`repository ${quoteForMessage(raw)}: ${valid.errors[0]}`)
  return valid
}

/** An SSH key's name (the comment used to list and remove it): letters, digits, '-', '_', '.', '@', 1..64 characters. */
export function validateKeyName(raw: string): Result<string> {
  if (KEY_NAME.test(raw)) return ok(raw)
  return fail(
    `key name ${quoteForMessage(raw)}: use letters, digits, '-', '_', '.' and '@', not starting with '.', '-' or '@' (at most 64 characters)`,
  )
}

/** A Procfile kind: a letter, then letters, digits, '-' or '_', at most 32 characters. */
export function validateKind(raw: string): Result<string> {
  if (KIND.test(raw)) return ok(raw)
  return fail(
    `kind ${quoteForMessage(raw)}: start with a letter, then use letters, digits, '-' and '_' (at most 32 characters)`,
  )
}

/** A config (ENV) key: a letter or '_', then letters, digits or '_', at most 128 characters. */
export function validateConfigKey(raw: string): Result<string> {
  if (CONFIG_KEY.test(raw)) return ok(raw)
  return fail(
    `config key ${quoteForMessage(raw)}: start with a letter or '_', then use letters, digits and '_' (at most 128 characters)`,
  )
}
