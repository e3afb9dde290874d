// runtime/detect: which runtime builds an app, from the files at its root (pure; one runtime per app).

export type RuntimeName = 'python' | 'node' | 'ruby' | 'maven' | 'gradle' | 'go' | 'clojure' | 'leiningen' | 'rust' | 'generic'

/** The order follows piku's detection chain, where both have the runtime. */
export function detectRuntime(files: Set<string>): RuntimeName {
  if (files.has('requirements.txt')) return 'python'
  if (files.has('pyproject.toml') && files.has('uv.lock')) return 'python'
  if (files.has('Gemfile')) return 'ruby'
  if (files.has('package.json')) return 'node'
  if (files.has('pom.xml')) return 'maven'
  if (files.has('build.gradle') || files.has('build.gradle.kts')) return 'gradle'
  if (files.has('go.mod')) return 'go'
  if (files.has('deps.edn')) return 'clojure'
  if (files.has('project.clj')) return 'leiningen'
  if (files.has('Cargo.toml')) return 'rust'
  return 'generic'
}
