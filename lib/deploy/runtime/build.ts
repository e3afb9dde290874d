// runtime/build: one builder per runtime. Each installs dependencies into a cache folder keyed by the
// hash of what pins them, so an unchanged lockfile means no install at all.
import { createHash } from 'node:crypto'
import { accessSync, statfsSync, constants, existsSync, readFileSync, mkdirSync, symlinkSync, copyFileSync, readdirSync, rmSync, statSync, lstatSync } from 'node:fs'
import { join } from 'node:path'
import type { RuntimeName } from './detect.js'
import { runStreamed, runCapture } from '../../host/system.js'
import { planNodeVersion, readNodeRequirement } from '../../parse/node-version.js'
import { JVM_PACKAGES, CLASS_FOLDERS, withBuildJvmMemory, JAR_FOLDERS, checkClasspathEntry, clojureCliMissing, planClojureCli, planGradleCommand, planLeinEnv, planMavenArgs, selectJars } from '../../parse/jvm.js'
import { readMemoryLimit } from '../../host/memory.js'
import { writeFileAtomic, DiskFullError } from '../../host/atomic-file.js'
import { UserError, isErrno } from '../../errors.js'
import * as log from '../../log.js'

export interface BuildContext {
  app: string
  dir: string // the release folder
  depsRoot: string // deps/APP
  env: Record<string, string> // the app's environment (the build sees what the app runs with)
  /** Puts one build command into the app's sandbox (deploy/sandbox.ts); absent: run as it is. */
  sandbox?: (cmd: string, args: string[], cwd: string) => [string, string[]]
}

export interface BuildOutput {
  runtimePath: string[]
  env: Record<string, string> // added to the app's environment
  defaultWeb?: string // the `web` command when there is no Procfile
  sitePackages?: string // python: for the wsgi loader
  jvmClasspath?: string[] // maven, gradle, leiningen, clojure: the jars the build left, for a jwsgi worker
  depsDir?: string // the keyed cache folder this build used (kept while a kept release names it)
}

export function hashFiles(dir: string, names: string[], extra = ''): string {
  const h = createHash('sha256').update(extra)
  for (const n of names) {
    const p = join(dir, n)
    h.update(`\0${n}\0`)
    if (existsSync(p)) h.update(readFileSync(p))
  }
  return h.digest('hex').slice(0, 16)
}

/**
 * A dependency build at low priority, so apps already serving stay responsive on a one-core host:
 * `nice -n 10` (CPU) and `ionice -c3 -t` (idle I/O class; -t: go on where the kernel refuses it), each
 * only where it is installed. Pure: `found` says which of the two exist.
 */
export function planLowPriority(cmd: string, args: string[], found: { nice?: string; ionice?: string }): [string, string[]] {
  const argv = [...(found.nice ? [found.nice, '-n', '10'] : []), ...(found.ionice ? [found.ionice, '-c3', '-t'] : []), cmd, ...args]
  return [argv[0], argv.slice(1)]
}

/**
 * Node options for a package manager's run on a small host. Node 18 sizes its heap from the machine, not
 * from a memory cgroup, and lets npm ci grow to ~200 MB; below 2 GiB a young generation of 1 MB and an old
 * one of a quarter of the memory (at least 64 MB) hold it near 120 MB, for about a second more. Pure.
 */
export function planBuildNodeOptions(memoryBytes: number, appOptions = ''): string {
  const mb = Math.floor(memoryBytes / 1048576)
  const ours = mb < 2048 ? `--max-semi-space-size=1 --max-old-space-size=${Math.max(64, Math.floor(mb / 4))}` : ''
  return [ours, appOptions.trim()].filter(Boolean).join(' ') // the app's own options come last and win
}

/** The first of `paths` whose filesystem is full (under 1 MiB or 0.5% free), or undefined. */
export function fullFilesystem(paths: string[]): string | undefined {
  for (const p of paths) {
    try {
      const s = statfsSync(p)
      const free = s.bavail * s.bsize
      if (free < 1024 * 1024 || (s.blocks > 0 && s.bavail / s.blocks < 0.005)) return p
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES')) throw e // a folder not made yet, or not ours to read: not the full one
    }
  }
  return undefined
}

async function runOrFail(ctx: BuildContext, what: string, cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  const tools = '/usr/bin:/bin:/usr/sbin:/sbin'
  const [boxCmd, boxArgs] = ctx.sandbox ? ctx.sandbox(cmd, args, cwd) : [cmd, args]
  const [lowCmd, lowArgs] = planLowPriority(boxCmd, boxArgs, { nice: findTool('nice', tools), ionice: findTool('ionice', tools) })
  const code = await runStreamed(lowCmd, lowArgs, { cwd, env })
  if (code === 0) return
  // a build that filled its disk says so in one line, whatever the tool printed
  const full = fullFilesystem([cwd, ...['VIRTUAL_ENV', 'UV_PROJECT_ENVIRONMENT', 'GOPATH', 'CARGO_TARGET_DIR', 'GEM_HOME', 'COMPOSER_HOME', 'GRADLE_USER_HOME', 'LEIN_HOME'].flatMap((k) => (env[k] ? [env[k]] : []))])
  if (full) throw new DiskFullError(full, undefined, `${what} failed`)
  throw new UserError(`${what} failed (exit ${code}); the running release is unchanged`)
}

/** The first executable `name` on the build's PATH, or undefined. */
export function findTool(name: string, path: string): string | undefined {
  for (const dir of path.split(':')) {
    if (!dir) continue
    const p = join(dir, name)
    try {
      accessSync(p, constants.X_OK)
      return p
    } catch (e) {
      if (!isErrno(e, 'ENOENT', 'ENOTDIR', 'EACCES')) throw e // not there, or not executable: the next folder
    }
  }
  return undefined
}

/** Fail with one clear line when a build tool is missing, naming what provides it. */
export function requireTool(name: string, env: Record<string, string>, why: string, provider: string): string {
  const p = findTool(name, env.PATH ?? '')
  if (!p) throw new UserError(`${why} needs "${name}", which is not installed on this host (${provider}); the running release is unchanged`)
  return p
}

/** Build into `target` unless it is complete already; a half-built folder is removed first. */
async function cached(target: string, build: () => Promise<void>): Promise<boolean> {
  const marker = join(target, '.piku-complete')
  if (existsSync(marker)) {
    log.step('dependencies unchanged')
    return false
  }
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target, { recursive: true, mode: 0o750 })
  try {
    await build()
  } catch (e) {
    rmSync(target, { recursive: true, force: true }) // a half-filled cache is never reused, and frees its space now
    throw e
  }
  writeFileAtomic(marker, new Date().toISOString() + '\n', 0o640)
  return true
}

export async function buildNode(ctx: BuildContext): Promise<BuildOutput> {
  let pkg: { scripts?: Record<string, string>; engines?: { node?: unknown } }
  try {
    pkg = JSON.parse(readFileSync(join(ctx.dir, 'package.json'), 'utf8'))
  } catch (e) {
    throw new UserError(`package.json: not valid JSON (${(e as Error).message.split('\n')[0]})`)
  }
  const lockfiles = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'].filter((f) => existsSync(join(ctx.dir, f)))
  const pm = (ctx.env.NODE_PACKAGE_MANAGER || (lockfiles.includes('pnpm-lock.yaml') ? 'pnpm' : lockfiles.includes('yarn.lock') ? 'yarn' : 'npm')).split(/\s+/)[0]
  if (!['npm', 'yarn', 'pnpm'].includes(pm)) throw new UserError(`NODE_PACKAGE_MANAGER="${pm}": use npm, yarn or pnpm`)
  const why = ctx.env.NODE_PACKAGE_MANAGER ? `NODE_PACKAGE_MANAGER=${pm}` : pm === 'npm' ? 'package.json' : `${pm === 'pnpm' ? 'pnpm-lock.yaml' : 'yarn.lock'}`
  const nodeBin = requireTool('node', ctx.env, 'package.json', 'install Debian\'s nodejs package')
  requireTool(pm, ctx.env, why, pm === 'npm' ? 'install Debian\'s npm package' : `install it for every user, e.g. npm install -g ${pm} as root`)
  // NODE_VERSION or engines.node: the host's node when it fits, else nodeenv's (as piku), else refused
  const hostNode = (await runCapture(nodeBin, ['--version'], { env: ctx.env })).stdout.trim() || 'an unknown version'
  const choice = planNodeVersion(readNodeRequirement(ctx.env, pkg), hostNode, findTool('nodeenv', ctx.env.PATH ?? '') !== undefined)
  if (!choice.ok) throw new UserError(`${choice.errors[0]}; the running release is unchanged`)
  let env = ctx.env
  let nodeVersion = hostNode
  const runtimePath: string[] = []
  if (choice.value.use === 'host' && choice.value.note) log.step(choice.value.note)
  if (choice.value.use === 'nodeenv') {
    const version = choice.value.version
    const nodeenvDir = join(ctx.depsRoot, `nodeenv-${version}`)
    await cached(nodeenvDir, async () => {
      log.step(`installing Node ${version} with nodeenv (the host has ${hostNode})`)
      await runOrFail(ctx, `nodeenv --node=${version}`, 'nodeenv', ['--prebuilt', `--node=${version}`, '--clean-src', '--force', nodeenvDir], ctx.depsRoot, ctx.env)
    })
    runtimePath.push(join(nodeenvDir, 'bin'))
    env = { ...ctx.env, PATH: `${join(nodeenvDir, 'bin')}:${ctx.env.PATH ?? ''}` }
    nodeVersion = `v${version}`
  }
  const inputs = ['package.json', ...lockfiles, '.npmrc']
  const target = join(ctx.depsRoot, `node-${hashFiles(ctx.dir, inputs, pm + nodeVersion)}`)
  await cached(target, async () => {
    for (const f of inputs) if (existsSync(join(ctx.dir, f))) copyFileSync(join(ctx.dir, f), join(target, f))
    const npmLock = lockfiles.includes('package-lock.json') || lockfiles.includes('npm-shrinkwrap.json')
    const ownLock = lockfiles.includes(pm === 'pnpm' ? 'pnpm-lock.yaml' : 'yarn.lock')
    const args =
      pm === 'npm' ? (npmLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']) : ownLock ? ['install', '--frozen-lockfile'] : ['install']
    log.step(`installing dependencies with ${pm} ${args[0]}`)
    const nodeOptions = planBuildNodeOptions(readMemoryLimit(), ctx.env.NODE_OPTIONS)
    // in a sandbox the home is a small private tmpfs and ~/.npm another app's too: the download cache lives beside
    // the install and goes once it is done (an unchanged lockfile installs nothing anyway)
    const npmCache: Record<string, string> = ctx.sandbox ? { npm_config_cache: join(target, '.npm-cache') } : {}
    await runOrFail(ctx, `${pm} ${args[0]}`, pm, args, target, { ...env, ...npmCache, npm_config_update_notifier: 'false', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) })
    if (ctx.sandbox) rmSync(join(target, '.npm-cache'), { recursive: true, force: true })
    mkdirSync(join(target, 'node_modules'), { recursive: true })
  })
  const link = join(ctx.dir, 'node_modules')
  rmSync(link, { recursive: true, force: true })
  symlinkSync(join(target, 'node_modules'), link)
  return {
    runtimePath: [join(ctx.dir, 'node_modules', '.bin'), ...runtimePath],
    env: { NODE_PATH: join(ctx.dir, 'node_modules') },
    defaultWeb: pkg.scripts?.start ? 'npm start' : undefined,
    depsDir: target,
  }
}

/** The Python the uwsgi python3 plugin is built against is Debian's /usr/bin/python3. */
export function pythonFor(version: string | undefined): string {
  if (!version) return '/usr/bin/python3'
  if (!/^3(\.\d{1,2})?$/.test(version)) throw new UserError(`PYTHON_VERSION="${version}": expected 3 or 3.N`)
  const bin = `/usr/bin/python${version}`
  if (!existsSync(bin)) throw new UserError(`PYTHON_VERSION=${version}: ${bin} is not installed on this host`)
  return bin
}

export async function buildPython(ctx: BuildContext): Promise<BuildOutput> {
  const python = pythonFor(ctx.env.PYTHON_VERSION)
  if (!existsSync(join(ctx.dir, 'requirements.txt'))) return buildUv(ctx, python)
  // local files named by requirements.txt (wheels in the repo) are part of what pins the install
  const req = readFileSync(join(ctx.dir, 'requirements.txt'), 'utf8')
  const local = req
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('-') && !l.includes('..') && existsSync(join(ctx.dir, l)) && statSync(join(ctx.dir, l)).isFile())
  const target = join(ctx.depsRoot, `py-${hashFiles(ctx.dir, ['requirements.txt', ...local], python)}`)
  const env = { ...ctx.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', VIRTUAL_ENV: target }
  await cached(target, async () => {
    log.step(`creating a virtualenv with ${python}`)
    await runOrFail(ctx, 'python -m venv', python, ['-m', 'venv', target], ctx.dir, env)
    if (req.trim()) {
      // run from the release folder, so relative paths in requirements.txt (./wheels/x.whl) resolve
      log.step('installing dependencies with pip install -r requirements.txt')
      await runOrFail(ctx, 'pip install', join(target, 'bin', 'python'), ['-m', 'pip', 'install', '-r', 'requirements.txt'], ctx.dir, env)
    }
  })
  return pythonOutput(target)
}

function pythonOutput(target: string): BuildOutput {
  const lib = join(target, 'lib')
  const pyDir = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined
  return {
    runtimePath: [join(target, 'bin')],
    env: { VIRTUAL_ENV: target },
    sitePackages: pyDir ? join(lib, pyDir, 'site-packages') : undefined,
    depsDir: target,
  }
}

/** pyproject.toml + uv.lock: `uv sync --frozen` into a cached virtualenv (the project itself is not installed). */
async function buildUv(ctx: BuildContext, python: string): Promise<BuildOutput> {
  const uv = requireTool('uv', ctx.env, 'pyproject.toml with uv.lock', 'install uv into /usr/local/bin, or add a requirements.txt')
  const target = join(ctx.depsRoot, `uv-${hashFiles(ctx.dir, ['pyproject.toml', 'uv.lock'], python)}`)
  const env = { ...ctx.env, UV_PROJECT_ENVIRONMENT: target, UV_PYTHON: python, UV_PYTHON_DOWNLOADS: 'never', UV_CACHE_DIR: join(ctx.depsRoot, 'uv-cache') }
  await cached(target, async () => {
    log.step('installing dependencies with uv sync --frozen')
    await runOrFail(ctx, 'uv sync', uv, ['sync', '--frozen', '--no-dev', '--no-install-project'], ctx.dir, env)
  })
  return pythonOutput(target)
}

/** go.mod: modules are downloaded only when go.mod or go.sum changed; `go build` puts every main package in bin/. */
async function buildGo(ctx: BuildContext): Promise<BuildOutput> {
  const go = requireTool('go', ctx.env, 'go.mod', "install Debian's golang-go")
  const env = { ...ctx.env, GOPATH: join(ctx.depsRoot, 'go'), GOCACHE: join(ctx.depsRoot, 'go-build'), GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' }
  const marker = join(ctx.depsRoot, `go-${hashFiles(ctx.dir, ['go.mod', 'go.sum'])}`)
  await cached(marker, async () => {
    log.step('downloading modules with go mod download')
    await runOrFail(ctx, 'go mod download', go, ['mod', 'download'], ctx.dir, env)
  })
  log.step('building with go build')
  await runOrFail(ctx, 'go build', go, ['build', '-o', join(ctx.dir, 'bin') + '/', './...'], ctx.dir, env)
  return { runtimePath: [join(ctx.dir, 'bin')], env: {}, depsDir: marker }
}

/** Gemfile: bundle install into deps/APP/ruby-HASH (the bundle's GEM_HOME), only when Gemfile or Gemfile.lock
 *  changed. Gems Debian ships (ruby-rack, ...) are used from the system when the lock names their version, so
 *  they need no download; the others are installed into the app's own GEM_HOME. */
async function buildRuby(ctx: BuildContext): Promise<BuildOutput> {
  requireTool('ruby', ctx.env, 'Gemfile', "install Debian's ruby package")
  const bundle = requireTool('bundle', ctx.env, 'Gemfile', "install Debian's ruby-bundler")
  // 'gem-home': bundles made before GEM_HOME (BUNDLE_PATH's layout) get a new folder rather than being reused
  const target = join(ctx.depsRoot, `ruby-${hashFiles(ctx.dir, ['Gemfile', 'Gemfile.lock'], 'gem-home')}`)
  const locked = existsSync(join(ctx.dir, 'Gemfile.lock'))
  const appEnv: Record<string, string> = { GEM_HOME: target, BUNDLE_GEMFILE: join(ctx.dir, 'Gemfile'), BUNDLE_WITHOUT: 'development:test' }
  const env = { ...ctx.env, ...appEnv, ...(locked ? { BUNDLE_FROZEN: 'true' } : {}) }
  await cached(target, async () => {
    log.step('installing gems with bundle install')
    await runOrFail(ctx, 'bundle install', bundle, ['install'], ctx.dir, env)
  })
  if (!locked) {
    // the lock bundler wrote is part of the release, so `bundle exec` at run time resolves the same gems
    log.step('no Gemfile.lock in the commit: resolving it with bundle lock --local')
    await runOrFail(ctx, 'bundle lock', bundle, ['lock', '--local'], ctx.dir, env)
  }
  return { runtimePath: [join(ctx.dir, 'bin'), join(target, 'bin')], env: appEnv, depsDir: target }
}

/** A php app with composer.json and composer.lock: `composer install --no-dev` in the release (the autoloader
 *  it writes names the release's own paths), with the app's own composer home and download cache. */
async function buildPhp(ctx: BuildContext): Promise<BuildOutput> {
  const json = existsSync(join(ctx.dir, 'composer.json'))
  if (!json) return { runtimePath: [], env: {} }
  if (!existsSync(join(ctx.dir, 'composer.lock'))) {
    log.step('composer.json without composer.lock: no dependencies installed (commit composer.lock to have them)')
    return { runtimePath: [], env: {} }
  }
  requireTool('php', ctx.env, 'composer.json', "install Debian's php-cli: apt install php-cli")
  const composer = requireTool('composer', ctx.env, 'composer.json', "install Debian's composer: apt install composer")
  const home = join(ctx.depsRoot, 'composer')
  mkdirSync(home, { recursive: true, mode: 0o750 })
  const env = { ...ctx.env, COMPOSER_HOME: home, COMPOSER_CACHE_DIR: join(home, 'cache'), COMPOSER_NO_INTERACTION: '1' }
  log.step('installing dependencies with composer install --no-dev')
  await runOrFail(ctx, 'composer install', composer, ['install', '--no-dev', '--no-interaction', '--no-progress', '--prefer-dist'], ctx.dir, env)
  return { runtimePath: [join(ctx.dir, 'vendor', 'bin')], env: {} }
}

/** Cargo.toml: crates are fetched only when Cargo.toml or Cargo.lock changed; the build reuses one target
 *  folder per app and copies the executables into the release's target/release/. */
async function buildRust(ctx: BuildContext): Promise<BuildOutput> {
  const cargo = requireTool('cargo', ctx.env, 'Cargo.toml', "install Debian's cargo")
  const targetDir = join(ctx.depsRoot, 'cargo-target')
  const env = { ...ctx.env, CARGO_TARGET_DIR: targetDir, CARGO_HOME: join(ctx.depsRoot, 'cargo-home') }
  const marker = join(ctx.depsRoot, `rust-${hashFiles(ctx.dir, ['Cargo.toml', 'Cargo.lock'])}`)
  await cached(marker, async () => {
    log.step('fetching crates with cargo fetch')
    await runOrFail(ctx, 'cargo fetch', cargo, ['fetch'], ctx.dir, env)
  })
  log.step('building with cargo build --release')
  await runOrFail(ctx, 'cargo build', cargo, ['build', '--release'], ctx.dir, { ...env, CARGO_NET_OFFLINE: 'true' })
  const built = join(targetDir, 'release')
  const out = join(ctx.dir, 'target', 'release')
  mkdirSync(out, { recursive: true })
  for (const f of readdirSync(built)) {
    const st = lstatSync(join(built, f)) // a link the build left is not followed out of the sandbox
    if (st.isFile() && st.mode & 0o111 && !f.startsWith('.')) copyFileSync(join(built, f), join(out, f))
  }
  return { runtimePath: [out], env: {}, depsDir: marker }
}

/** The jars a JVM build left in its usual folders (or its class folder when there is none), as absolute paths. */
function jvmClasspath(runtime: keyof typeof JAR_FOLDERS, dir: string): string[] {
  const jars = JAR_FOLDERS[runtime].flatMap((f) => {
    const folder = join(dir, f)
    return existsSync(folder) && statSync(folder).isDirectory() ? selectJars(readdirSync(folder)).map((n) => join(folder, n)) : []
  })
  const found = jars.length ? jars : existsSync(join(dir, CLASS_FOLDERS[runtime])) ? [join(dir, CLASS_FOLDERS[runtime])] : []
  const bad = found.map(checkClasspathEntry).find(Boolean)
  if (bad) log.warn(`${bad} (only a jwsgi worker needs it)`)
  return bad ? [] : found
}

/** Every JVM build needs a JDK (javac, which `java` alone, a JRE, does not have). Returns the build's environment:
 *  its JVMs told the memory the build has (the sandbox hides the cgroup files a JVM sizes its heap from). */
function requireJdk(why: string, env: Record<string, string>, pkg: string): Record<string, string> {
  requireTool('java', env, why, `install it as root: ${pkg}`)
  requireTool('javac', env, why, `install it as root: ${pkg}`)
  const options = withBuildJvmMemory(env.JAVA_TOOL_OPTIONS, readMemoryLimit())
  return options ? { ...env, JAVA_TOOL_OPTIONS: options } : env
}

/** pom.xml: `mvn -B package` in the release, with the app's own Maven repository in deps/APP/maven-repo. */
async function buildMaven(ctx: BuildContext): Promise<BuildOutput> {
  const env = requireJdk('pom.xml', ctx.env, JVM_PACKAGES.maven)
  const mvn = requireTool('mvn', ctx.env, 'pom.xml', `install it as root: ${JVM_PACKAGES.maven}`)
  const config = join(ctx.dir, '.mvn', 'maven.config')
  const args = planMavenArgs(existsSync(config) ? readFileSync(config, 'utf8') : undefined, join(ctx.depsRoot, 'maven-repo'))
  log.step(`building with mvn ${args.join(' ')}`)
  await runOrFail(ctx, 'mvn package', mvn, args, ctx.dir, env)
  return { runtimePath: [], env: {}, jvmClasspath: jvmClasspath('maven', ctx.dir) }
}

/** build.gradle: the committed `./gradlew build`, else the host's `gradle build`; GRADLE_USER_HOME in deps/APP. */
async function buildGradle(ctx: BuildContext): Promise<BuildOutput> {
  const wrapper = existsSync(join(ctx.dir, 'gradlew'))
  const jdkEnv = requireJdk(wrapper ? 'gradlew' : 'build.gradle', ctx.env, wrapper ? JVM_PACKAGES.java : JVM_PACKAGES.gradle)
  const [cmd, args] = planGradleCommand(wrapper)
  const tool = wrapper ? cmd : requireTool(cmd, ctx.env, 'build.gradle', `install it as root: ${JVM_PACKAGES.gradle}`)
  const env = { ...jdkEnv, GRADLE_USER_HOME: ctx.env.GRADLE_USER_HOME || join(ctx.depsRoot, 'gradle-home') }
  log.step(`building with ${wrapper ? './gradlew' : 'gradle'} ${args.slice(wrapper ? 1 : 0).join(' ')}`)
  await runOrFail(ctx, `${wrapper ? './gradlew' : 'gradle'} build`, tool, args, ctx.dir, env)
  return { runtimePath: [], env: {}, jvmClasspath: jvmClasspath('gradle', ctx.dir) }
}

/** project.clj: `lein uberjar` with LEIN_HOME and the local repository in deps/APP/lein (Debian's leiningen). */
async function buildLeiningen(ctx: BuildContext): Promise<BuildOutput> {
  const jdkEnv = requireJdk('project.clj', ctx.env, JVM_PACKAGES.leiningen)
  const lein = requireTool('lein', ctx.env, 'project.clj', `install it as root: ${JVM_PACKAGES.leiningen}`)
  const env = { ...jdkEnv, ...planLeinEnv(ctx.env, join(ctx.depsRoot, 'lein')) }
  log.step('building with lein uberjar')
  await runOrFail(ctx, 'lein uberjar', lein, ['uberjar'], ctx.dir, env)
  return { runtimePath: [], env: {}, jvmClasspath: jvmClasspath('leiningen', ctx.dir) }
}

/** deps.edn: `clojure -T:build release` where the host has the Clojure CLI; else lein for a project.clj beside
 *  it, else refused in one line. Debian's own `clojure` package is a plain REPL launcher, not the CLI. */
async function buildClojureCli(ctx: BuildContext): Promise<BuildOutput> {
  const jdkEnv = requireJdk('deps.edn', ctx.env, JVM_PACKAGES.java)
  const clojure = findTool('clojure', ctx.env.PATH ?? '')
  const cli = clojure && (await runCapture(clojure, ['-Sdescribe'], { env: ctx.env }).then((r) => r.code === 0, () => false))
  if (!clojure || !cli) {
    const why = clojure ? `${clojure} is not it (no -Sdescribe: Debian's clojure package is a plain REPL launcher)` : 'this host has no "clojure" command'
    if (existsSync(join(ctx.dir, 'project.clj'))) {
      log.step(`deps.edn: ${why}; building the project.clj beside it with Leiningen`)
      return buildLeiningen(ctx)
    }
    throw new UserError(clojureCliMissing(why))
  }
  const plan = planClojureCli(join(ctx.depsRoot, 'clojure'))
  log.step('building with clojure -T:build release')
  await runOrFail(ctx, 'clojure -T:build release', clojure, plan.args, ctx.dir, { ...jdkEnv, ...plan.env })
  return { runtimePath: [], env: {}, jvmClasspath: jvmClasspath('clojure', ctx.dir) }
}

export async function buildRuntime(runtime: RuntimeName, ctx: BuildContext): Promise<BuildOutput> {
  switch (runtime) {
    case 'node':
      return buildNode(ctx)
    case 'python':
      return buildPython(ctx)
    case 'go':
      return buildGo(ctx)
    case 'ruby':
      return buildRuby(ctx)
    case 'rust':
      return buildRust(ctx)
    case 'php':
      return buildPhp(ctx)
    case 'maven':
      return buildMaven(ctx)
    case 'gradle':
      return buildGradle(ctx)
    case 'leiningen':
      return buildLeiningen(ctx)
    case 'clojure-cli':
      return buildClojureCli(ctx)
    case 'generic':
      return { runtimePath: [], env: {} }
  }
}
