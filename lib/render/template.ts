// template: fills `{{UPPER_SNAKE}}` placeholders in a plain template file; no logic, no escaping.
// Every value must already have passed its allow-list; a missing or unused name is a bug and throws.

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
