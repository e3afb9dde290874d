// quote: the one way to put a value into an sh command line and into a regular expression (pure).

/** `s` single-quoted for sh: it reads back as exactly `s`, whatever it holds. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/** `s` as a literal inside a RegExp: every character with a meaning there escaped. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
