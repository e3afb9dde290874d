// runtime/build: one builder per runtime. Each installs dependencies into a cache folder keyed by the
// hash of what pins them, so an unchanged lockfile means no install at all.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, mkdirSync, symlinkSync, copyFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { RuntimeName } from './detect.js'
import { runStreamed } from '../system.js'
import { UserError } from '../errors.js'
import * as log from '../log.js'

export interface BuildContext {
  app: string
  dir: string // the release folder
  depsRoot: string // deps/APP
  env: Record<string, string> // the app's environment (the build sees what the app runs with)
}

export interface BuildOutput {
  runtimePath: string[]
  env: Record<string, string> // added to the app's environment
  defaultWeb?: string // the `web` command when there is no Procfile
  sitePackages?: string // python: for the wsgi loader
  depsDir?: string
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

async function runOrFail(what: string, cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  const code = await runStreamed(cmd, args, { cwd, env })
  if (code !== 0) throw new UserError(`${what} failed (exit ${code}); the running release is unchanged`)
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
  await build()
  writeFileSync(marker, new Date().toISOString() + '\n')
  return true
}

export async function buildNode(ctx: BuildContext): Promise<BuildOutput> {
  let pkg: { scripts?: Record<string, string> }
  try {
    pkg = JSON.parse(readFileSync(join(ctx.dir, 'package.json'), 'utf8'))
  } catch (e) {
    throw new UserError(`package.json: not valid JSON (${(e as Error).message.split('\n')[0]})`)
  }
  const lockfiles = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'].filter((f) => existsSync(join(ctx.dir, f)))
  const pm = (ctx.env.NODE_PACKAGE_MANAGER || (lockfiles.includes('pnpm-lock.yaml') ? 'pnpm' : lockfiles.includes('yarn.lock') ? 'yarn' : 'npm')).split(/\s+/)[0]
  if (!['npm', 'yarn', 'pnpm'].includes(pm)) throw new UserError(`NODE_PACKAGE_MANAGER="${pm}": use npm, yarn or pnpm`)
  const inputs = ['package.json', ...lockfiles, '.npmrc']
  const target = join(ctx.depsRoot, `node-${hashFiles(ctx.dir, inputs, pm + process.version)}`)
  await cached(target, async () => {
    for (const f of inputs) if (existsSync(join(ctx.dir, f))) copyFileSync(join(ctx.dir, f), join(target, f))
    const npmLock = lockfiles.includes('package-lock.json') || lockfiles.includes('npm-shrinkwrap.json')
    const args =
      pm === 'npm' ? (npmLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']) : pm === 'yarn' ? ['install', '--frozen-lockfile'] : ['install', '--frozen-lockfile']
    log.step(`installing dependencies with ${pm} ${args[0]}`)
    await runOrFail(`${pm} ${args[0]}`, pm, args, target, { ...ctx.env, npm_config_update_notifier: 'false' })
    mkdirSync(join(target, 'node_modules'), { recursive: true })
  })
  const link = join(ctx.dir, 'node_modules')
  rmSync(link, { recursive: true, force: true })
  symlinkSync(join(target, 'node_modules'), link)
  return {
    runtimePath: [join(ctx.dir, 'node_modules', '.bin')],
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
  // local files named by requirements.txt (wheels in the repo) are part of what pins the install
  const req = existsSync(join(ctx.dir, 'requirements.txt')) ? readFileSync(join(ctx.dir, 'requirements.txt'), 'utf8') : ''
  const local = req
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('-') && existsSync(join(ctx.dir, l)) && !l.includes('..'))
  const target = join(ctx.depsRoot, `py-${hashFiles(ctx.dir, ['requirements.txt', ...local], python)}`)
  const env = { ...ctx.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', VIRTUAL_ENV: target }
  await cached(target, async () => {
    log.step(`creating a virtualenv with ${python}`)
    await runOrFail('python -m venv', python, ['-m', 'venv', target], ctx.dir, env)
    if (req.trim()) {
      log.step('installing dependencies with pip install -r requirements.txt')
      await runOrFail('pip install', join(target, 'bin', 'python'), ['-m', 'pip', 'install', '-r', 'requirements.txt'], ctx.dir, env)
    }
  })
  const lib = join(target, 'lib')
  const pyDir = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined
  return {
    runtimePath: [join(target, 'bin')],
    env: { VIRTUAL_ENV: target },
    sitePackages: pyDir ? join(lib, pyDir, 'site-packages') : undefined,
    depsDir: target,
  }
}

async function buildGo(ctx: BuildContext): Promise<BuildOutput> {
  const gopath = join(ctx.depsRoot, 'gopath')
  mkdirSync(gopath, { recursive: true })
  const env = { ...ctx.env, GOPATH: gopath, GOCACHE: join(ctx.depsRoot, 'gocache'), GOFLAGS: '-mod=mod' }
  log.step('building with go build')
  await runOrFail('go build', 'go', ['build', '-o', join(ctx.dir, 'bin', 'app'), '.'], ctx.dir, env)
  return { runtimePath: [join(ctx.dir, 'bin')], env: { GOPATH: gopath } }
}

async function buildRuby(ctx: BuildContext): Promise<BuildOutput> {
  const bundle = join(ctx.depsRoot, 'bundle')
  const env = { ...ctx.env, BUNDLE_PATH: bundle, BUNDLE_DEPLOYMENT: existsSync(join(ctx.dir, 'Gemfile.lock')) ? '1' : '0' }
  log.step('installing gems with bundle install')
  await runOrFail('bundle install', 'bundle', ['install'], ctx.dir, env)
  return { runtimePath: [join(ctx.dir, 'bin')], env: { BUNDLE_PATH: bundle, BUNDLE_GEMFILE: join(ctx.dir, 'Gemfile') } }
}

async function buildRust(ctx: BuildContext): Promise<BuildOutput> {
  const targetDir = join(ctx.depsRoot, 'cargo-target')
  const env = { ...ctx.env, CARGO_TARGET_DIR: targetDir, CARGO_HOME: join(ctx.depsRoot, 'cargo-home') }
  log.step('building with cargo build --release')
  await runOrFail('cargo build', 'cargo', ['build', '--release'], ctx.dir, env)
  return { runtimePath: [join(targetDir, 'release')], env: {} }
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
    case 'generic':
      return { runtimePath: [], env: {} }
  }
}
