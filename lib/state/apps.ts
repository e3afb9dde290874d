// apps: which apps this host has (a bare repo under repos/) and whether each is running.
import { existsSync, readdirSync } from 'node:fs'
import { hostPaths } from './paths.js'
import { validateAppName } from '../parse/app-name.js'
import { readActive, currentRelease } from './release.js'
import { vassalFiles } from './vassals.js'
import { readAppState } from './app-state.js'

export interface AppStatus {
  name: string
  running: boolean
  release?: string
  maintenance: boolean // maintenance:on
}

/** Every app, by name. */
export function listApps(): string[] {
  const repos = hostPaths().repos
  if (!existsSync(repos)) return []
  return readdirSync(repos)
    .filter((d) => existsSync(`${repos}/${d}/HEAD`))
    .sort()
}

/** Apps with a repo or an apps/ folder (a half-destroyed app still gets its workers cleaned at boot). */
export function appsOnDisk(): string[] {
  const h = hostPaths()
  const names = new Set<string>()
  for (const dir of [h.repos, h.apps]) if (existsSync(dir)) for (const d of readdirSync(dir)) if (validateAppName(d).ok) names.add(d)
  return [...names].sort()
}

export function appStatus(name: string): AppStatus {
  const active = readActive(name)
  // a static-only app has no workers: it runs when it is active (nginx serves it)
  const running = active !== undefined && (vassalFiles(name).length > 0 || Object.keys(active.ports).length === 0)
  return { name, running, release: currentRelease(name), maintenance: readAppState(name).maintenance !== undefined }
}
