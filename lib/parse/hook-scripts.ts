// hook-scripts: which files of a pre-receive.d/ or post-receive.d/ folder run, in which order, and for how
// long (gitlab-shell's custom_hooks model). Pure: names and values in, decisions out.
import { type Result, ok, fail } from '../errors.js'

/** Editor leftovers and our own side files, never run: `*~`, `.#*` and every dot file (vim's `.x.swp`),
 *  `*.swp`, `*.swo`, `*.orig`, `*.rej`, `*.bak`, and the FILE.stock / FILE.edited-STAMP files piku-hooks keeps. */
export function isLeftover(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || /\.(swp|swo|orig|rej|bak|stock)$/.test(name) || /\.edited-[0-9TZ]+$/.test(name)
}

/** The names that may run, in name order (byte order, the same on every machine). */
export function orderHookScripts(names: string[]): string[] {
  return names.filter((n) => !isLeftover(n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

export const DEFAULT_HOOK_TIMEOUT_S = 120

/** PIKU_HOOK_TIMEOUT: whole seconds, 1 to 3600; unset or empty gives the default. */
export function parseHookTimeout(value: string | undefined): Result<number> {
  if (value === undefined || value.trim() === '') return ok(DEFAULT_HOOK_TIMEOUT_S)
  const v = value.trim()
  if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > 3600) return fail(`PIKU_HOOK_TIMEOUT="${v.slice(0, 20)}": give whole seconds, 1 to 3600 (default ${DEFAULT_HOOK_TIMEOUT_S})`)
  return ok(Number(v))
}
