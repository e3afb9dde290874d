// runtime/detect: which runtime builds an app, from the files at its root and its Procfile kinds (pure;
// one runtime per app, the first match of piku's chain wins).

export type RuntimeName = 'python' | 'node' | 'ruby' | 'maven' | 'gradle' | 'go' | 'clojure-cli' | 'leiningen' | 'php' | 'rust' | 'generic'

/** piku's detection chain: requirements.txt, pyproject.toml (+ uv.lock), Gemfile, package.json, pom.xml,
 *  build.gradle, go.mod, deps.edn, project.clj, a `php` Procfile kind, Cargo.toml; else generic. */
export function detectRuntime(files: Set<string>, kinds: readonly string[] = []): RuntimeName {
  if (files.has('requirements.txt')) return 'python'
  if (files.has('pyproject.toml') && files.has('uv.lock')) return 'python'
  if (files.has('Gemfile')) return 'ruby'
  if (files.has('package.json')) return 'node'
  if (files.has('pom.xml')) return 'maven'
  if (files.has('build.gradle') || files.has('build.gradle.kts')) return 'gradle'
  if (files.has('go.mod')) return 'go'
  if (files.has('deps.edn')) return 'clojure-cli'
  if (files.has('project.clj')) return 'leiningen'
  if (kinds.includes('php')) return 'php'
  if (files.has('Cargo.toml')) return 'rust'
  return 'generic'
}
