// plan-settings: the per-app settings a release needs, read from its composed environment (pure).
import { type Result, ok, fail } from '../errors.js'
import { parseBool, parseStrictBool, parseUwsgiSettings, parseServerNames, parseHealth, parseKeepReleases } from './settings.js'
import { parseScaling, planScaling, type ScaleCounts } from './scaling.js'
import { classifyKind, type ProcEntry } from './procfile.js'
import { planMemoryCaps, type MemoryCap } from './memory.js'
import type { VassalSettings } from '../render/uwsgi.js'
import type { StaticMapping } from '../render/nginx.js'
import type { HealthRule } from './health.js'
import { parseDeployBranch } from './refs.js'

export interface AppSettings {
  serverNames: string[]
  catchAll?: string
  allowGitFolders: boolean
  vassal: VassalSettings
  health: HealthRule
  autoRestart: boolean // PIKU_AUTO_RESTART (default true); false: a push stages the release
  deployBranch?: string // PIKU_DEPLOY_BRANCH (default main/master)
  keep: number
  scaling: ScaleCounts
  memory: Record<string, MemoryCap> // kind -> its cap (PIKU_MEMORY_MAX, PIKU_MEMORY_MAX_<KIND>)
}

export function planSettings(env: Record<string, string>, app: string, domain: string | undefined, scalingText: string, kinds: string[]): Result<AppSettings> {
  const errors: string[] = []
  const uwsgi = parseUwsgiSettings(env)
  if (!uwsgi.ok) errors.push(...uwsgi.errors)
  let serverNames: string[] = []
  if (env.NGINX_SERVER_NAME !== undefined && env.NGINX_SERVER_NAME.trim() !== '') {
    const names = parseServerNames(env.NGINX_SERVER_NAME)
    if (names.ok) serverNames = names.value
    else errors.push(...names.errors)
  } else if (domain) {
    serverNames = [`${app.toLowerCase()}.${domain}`]
  }
  const health = parseHealth(env)
  if (!health.ok) errors.push(...health.errors)
  const keep = parseKeepReleases(env)
  if (!keep.ok) errors.push(...keep.errors)
  const saved = parseScaling(scalingText)
  if (!saved.ok) errors.push(...saved.errors)
  const autoRestart = parseStrictBool(env, 'PIKU_AUTO_RESTART', true)
  if (!autoRestart.ok) errors.push(...autoRestart.errors)
  const deployBranch = parseDeployBranch(env.PIKU_DEPLOY_BRANCH)
  if (!deployBranch.ok) errors.push(...deployBranch.errors)
  const running = kinds.filter((k) => !['static', 'release', 'preflight'].includes(classifyKind(k)))
  const memory = planMemoryCaps(env, running)
  if (!memory.ok) errors.push(...memory.errors)
  const catchAll = env.NGINX_CATCH_ALL?.trim() || undefined
  if (catchAll && !/^\/[A-Za-z0-9._~\/-]*$/.test(catchAll)) errors.push(`NGINX_CATCH_ALL="${catchAll}": expected a path such as /index.html`)
  if (errors.length || !uwsgi.ok || !health.ok || !keep.ok || !saved.ok || !autoRestart.ok || !deployBranch.ok || !memory.ok) return fail(...errors)
  return ok({
    serverNames,
    catchAll,
    allowGitFolders: parseBool(env.NGINX_ALLOW_GIT_FOLDERS),
    vassal: uwsgi.value,
    health: {
      path: health.value.path,
      timeoutMs: health.value.timeout * 1000,
      ...(health.value.status ? { status: health.value.status } : {}),
      ...(health.value.content !== undefined ? { content: health.value.content } : {}),
    },
    autoRestart: autoRestart.value,
    ...(deployBranch.value ? { deployBranch: deployBranch.value } : {}),
    keep: keep.value,
    scaling: planScaling(kinds, saved.value),
    memory: memory.value,
  })
}

const URL_PATH = /^\/([A-Za-z0-9._~@+-]+\/)*$/
const REL_PATH = /^[A-Za-z0-9._~@+-]+(\/[A-Za-z0-9._~@+-]+)*\/?$/

/** `/url:dir` pairs from a `static:` line and NGINX_STATIC_PATHS, with absolute, checked folders. */
export function planStatics(entries: ProcEntry[], env: Record<string, string>, dir: string): Result<StaticMapping[]> {
  const specs: { url: string; path: string; where: string }[] = []
  const errors: string[] = []
  const addList = (text: string, where: string, defaultUrl?: string) => {
    for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const i = item.indexOf(':')
      if (i < 0 && defaultUrl) specs.push({ url: defaultUrl, path: item, where })
      else if (i < 0) errors.push(`${where}: "${item}": expected /url:folder`)
      else specs.push({ url: item.slice(0, i), path: item.slice(i + 1), where })
    }
  }
  const st = entries.find((e) => e.kind === 'static')
  if (st) addList(st.command, `Procfile:${st.line}: static`, '/')
  if (env.NGINX_STATIC_PATHS) addList(env.NGINX_STATIC_PATHS, 'NGINX_STATIC_PATHS')
  const out: StaticMapping[] = []
  for (const s of specs) {
    const url = s.url.endsWith('/') ? s.url : `${s.url}/`
    const path = s.path.replace(/^\.\//, '')
    if (!URL_PATH.test(url) || url.split('/').some((seg) => seg === '..' || seg === '.')) {
      errors.push(`${s.where}: URL "${s.url}" must be a plain path such as /assets`)
      continue
    }
    if (path === '' || path === '.' || path === './') {
      errors.push(`${s.where}: serving the whole app folder would publish ENV and Procfile; put the site in a folder such as public/`)
      continue
    }
    if (!REL_PATH.test(path) || path.split('/').some((seg) => seg === '..' || seg === '.' || seg.startsWith('.'))) {
      errors.push(`${s.where}: folder "${s.path}" must be a relative path inside the app, without .. or hidden folders`)
      continue
    }
    out.push({ url, dir: `${dir}/${path.replace(/\/$/, '')}/` })
  }
  return errors.length ? fail(...errors) : ok(out)
}
