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
