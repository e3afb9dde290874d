// app-env: composes the environment an app is built and run with (pure).
// Precedence as piku: base < the repo's ENV < config:set values; then per process PORT and PROC_TYPE.
import { type Result, ok, fail } from '../errors.js'
import { parseEnvFile } from './env-file.js'

export interface EnvInputs {
  app: string
  release: string
  home: string
  user: string
  dataRoot: string
  cacheRoot: string
  logRoot: string
  runtimePath?: string[] // folders to put first on PATH (venv/bin, node_modules/.bin)
  repoEnv?: string // text of the repo's ENV file
  configEnv?: string // text of config/APP/ENV
}

export const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin'

/** Names piku-hooks sets itself; an ENV file may not change them (they would break the switch or paths). */
export const RESERVED = new Set(['APP', 'PORT', 'PROC_TYPE', 'DATA_ROOT', 'CACHE_ROOT', 'LOG_ROOT', 'PIKU_RELEASE'])

/** Names only an admin sets (config:set): they widen what the app may reach. A pushed ENV that sets one is refused. */
export const ADMIN_ONLY = new Set(['PIKU_SANDBOX_BIND'])

/** `ENV:LINE: ...` for every admin-only name the pushed ENV sets. */
export function adminOnlyInEnv(text: string, file = 'ENV'): string[] {
  const errors: string[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(raw.replace(/^\uFEFF/, ''))
    if (m && ADMIN_ONLY.has(m[1])) errors.push(`${file}:${i + 1}: ${m[1]} widens the app's sandbox: pushed code cannot set it; an admin can, with config:set`)
  })
  return errors
}

export function baseEnv(i: EnvInputs): Record<string, string> {
  return {
    APP: i.app,
    HOME: i.home,
    USER: i.user,
    LOGNAME: i.user,
    PATH: [...(i.runtimePath ?? []), SYSTEM_PATH].join(':'),
    LANG: 'C.UTF-8',
    DATA_ROOT: i.dataRoot,
    CACHE_ROOT: i.cacheRoot,
    LOG_ROOT: i.logRoot,
    BIND_ADDRESS: '127.0.0.1',
    PIKU_RELEASE: i.release,
    PYTHONUNBUFFERED: '1',
    PYTHONIOENCODING: 'UTF-8:replace',
  }
}

export interface ComposedEnv {
  env: Record<string, string>
  warnings: string[]
}

export function composeAppEnv(i: EnvInputs): Result<ComposedEnv> {
  const base = baseEnv(i)
  const warnings: string[] = []
  const widening = adminOnlyInEnv(i.repoEnv ?? '')
  if (widening.length) return fail(...widening)
  const repo = parseEnvFile(i.repoEnv ?? '', base, 'ENV')
  if (!repo.ok) return repo
  const afterRepo = { ...base, ...dropReserved(repo.value, 'ENV', warnings) }
  const config = parseEnvFile(i.configEnv ?? '', afterRepo, 'config')
  if (!config.ok) return fail(...config.errors.map((e) => e.replace(/^config:/, 'config (config:set values):')))
  return ok({ env: { ...afterRepo, ...dropReserved(config.value, 'config', warnings) }, warnings })
}

function dropReserved(values: Record<string, string>, where: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(values)) {
    if (RESERVED.has(k)) {
      warnings.push(`${where}: ${k} is set by piku-hooks and cannot be changed; ignoring ${k}=${v}`)
      continue
    }
    out[k] = v
  }
  return out
}

/** The environment of one worker instance. */
export function processEnv(env: Record<string, string>, kind: string, port?: number): Record<string, string> {
  const out: Record<string, string> = { ...env, PROC_TYPE: kind }
  if (port !== undefined) out.PORT = String(port)
  return out
}
