// runtime/detect: one runtime per app, chosen from the files at its root in piku's order.
import t from 'tap'
import { detectRuntime } from '../../../lib/deploy/runtime/detect.js'

const d = (...files: string[]) => detectRuntime(new Set(files))

t.test('detectRuntime: each marker file picks its runtime', async (t) => {
  t.equal(d('requirements.txt'), 'python')
  t.equal(d('pyproject.toml', 'uv.lock'), 'python')
  t.equal(d('Gemfile'), 'ruby')
  t.equal(d('package.json'), 'node')
  t.equal(d('pom.xml'), 'maven')
  t.equal(d('build.gradle'), 'gradle')
  t.equal(d('build.gradle.kts'), 'gradle')
  t.equal(d('go.mod'), 'go')
  t.equal(d('deps.edn'), 'clojure-cli')
  t.equal(d('project.clj'), 'leiningen')
  t.equal(detectRuntime(new Set(['Procfile', 'composer.json']), ['php']), 'php', 'a php Procfile kind')
  t.equal(d('Cargo.toml'), 'rust')
  t.equal(d('Procfile', 'ENV'), 'generic')
  t.equal(d('pyproject.toml'), 'generic', 'pyproject.toml alone (poetry, no uv.lock) is not built')
})

t.test('detectRuntime: piku\'s order decides when several markers are present', async (t) => {
  t.equal(d('package.json', 'requirements.txt'), 'python')
  t.equal(d('package.json', 'Gemfile'), 'ruby')
  t.equal(d('go.mod', 'package.json'), 'node')
  t.equal(d('pom.xml', 'package.json'), 'node')
  t.equal(d('build.gradle', 'pom.xml'), 'maven')
  t.equal(d('go.mod', 'build.gradle'), 'gradle')
  t.equal(d('deps.edn', 'go.mod'), 'go')
  t.equal(d('project.clj', 'deps.edn'), 'clojure-cli')
  t.equal(detectRuntime(new Set(['project.clj']), ['php']), 'leiningen')
  t.equal(detectRuntime(new Set(['Cargo.toml']), ['web', 'php']), 'php')
  t.equal(d('Cargo.toml', 'go.mod'), 'go')
  t.equal(d('Cargo.toml', 'project.clj'), 'leiningen')
})
