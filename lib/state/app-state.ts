// app-state: small per-app flags kept across deploys, restarts and re-installs in config/APP/state.json:
// `stopped` (by stop, until the next start) and `maintenance` (by maintenance:on, until maintenance:off).
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { appPaths } from './paths.js'
import { writeFileAtomic } from '../host/atomic-file.js'

export interface AppState {
  stopped?: boolean
  maintenance?: string // ISO time maintenance:on was switched on
}

export function readAppState(app: string): AppState {
  try {
    const v = JSON.parse(readFileSync(appPaths(app).state, 'utf8')) as unknown
    return v !== null && typeof v === 'object' ? (v as AppState) : {}
  } catch {
    return {}
  }
}

/** Merge `patch` into the state (undefined or false removes a flag); an empty state removes the file. */
export function writeAppState(app: string, patch: Partial<Record<keyof AppState, unknown>>): AppState {
  const p = appPaths(app)
  const state: Record<string, unknown> = { ...readAppState(app) }
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === false) delete state[k]
    else state[k] = v
  }
  if (Object.keys(state).length === 0) {
    if (existsSync(p.state)) rmSync(p.state, { force: true })
    return {}
  }
  writeFileAtomic(p.state, JSON.stringify(state) + '\n', 0o600)
  return state as AppState
}

/** Record (or clear) the sticky `stopped` flag. */
export function writeStopped(app: string, stopped: boolean): void {
  writeAppState(app, { stopped })
}
