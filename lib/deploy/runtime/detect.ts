// runtime/detect: which runtime builds an app, from the files at its root (pure; one runtime per app).

export type RuntimeName = 'python' | 'node' | 'ruby' | 'go' | 'rust' | 'generic'

/** The order follows piku's detection chain, where both have the runtime. */
export function detectRuntime(files: Set<string>): RuntimeName {
  if (files.has('requirements.txt')) return 'python'
  if (files.has('pyproject.toml') && files.has('uv.lock')) return 'python'
  if (files.has('Gemfile')) return 'ruby'
  if (files.has('package.json')) return 'node'
  if (files.has('go.mod')) return 'go'
  if (files.has('Cargo.toml')) return 'rust'
  return 'generic'
}
