// template: fills `{{UPPER_SNAKE}}` placeholders in a plain template file; no logic, no escaping.
// Every value must already have passed its allow-list; a missing or unused name is a bug and throws.
import { escapeRegExp } from './quote.js'

const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g

export function renderTemplate(text: string, values: Record<string, string>): string {
  const used = new Set<string>()
  const out = text.replace(PLACEHOLDER, (_m, name: string) => {
    const v = values[name]
    if (v === undefined) throw new Error(`template placeholder {{${name}}} has no value`)
    used.add(name)
    return v
  })
  for (const name of Object.keys(values)) {
    if (!used.has(name)) throw new Error(`template has no placeholder {{${name}}}`)
  }
  return out
}

/** The placeholders of a template, each with the line it first appears on. */
export function listPlaceholders(text: string): Map<string, number> {
  const found = new Map<string, number>()
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(PLACEHOLDER)) if (!found.has(m[1])) found.set(m[1], i + 1)
  })
  return found
}

/**
 * An admin's copy of a template against the stock one: it may change anything but the placeholders, which
 * the renderer fills (a new name has no value, a dropped one loses what it carried). One error naming
 * `file` (and the line), or undefined.
 */
export function checkTemplateCopy(copy: string, stock: string, file: string): string | undefined {
  const have = listPlaceholders(copy)
  const want = listPlaceholders(stock)
  for (const [name, line] of have) {
    if (!want.has(name)) return `${file}:${line}: unknown placeholder {{${name}}} (this template has ${[...want.keys()].map((n) => `{{${n}}}`).join(', ') || 'none'})`
  }
  for (const name of want.keys()) if (!have.has(name)) return `${file}: the placeholder {{${name}}} is missing (put it back, or hooks:reset the file)`
  return undefined
}

/**
 * Which template line a line of rendered output came from: the first line of `templates` that matches it
 * with every placeholder standing for any text (whitespace ignored at the ends). For naming an admin's edit
 * in nginx's complaint about the rendered file.
 */
export function findTemplateLine(rendered: string, templates: { file: string; text: string }[]): { file: string; line: number } | undefined {
  const target = rendered.trim()
  if (!target) return undefined
  for (const t of templates) {
    const lines = t.text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i].trim()
      if (!l || /^\{\{[A-Z][A-Z0-9_]*\}\}$/.test(l)) continue // a line that is only a placeholder matches anything
      const pattern = l
        .split(PLACEHOLDER)
        .map((part, j) => (j % 2 ? '.*' : escapeRegExp(part)))
        .join('')
      if (new RegExp(`^${pattern}$`).test(target)) return { file: t.file, line: i + 1 }
    }
  }
  return undefined
}
