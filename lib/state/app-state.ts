// app-state: small per-app flags kept across deploys in config/APP/state.json (today: stopped by `stop`).
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { appPaths } from './paths.js'
import { writeFileAtomic } from '../host/atomic-file.js'

export interface AppState {
  stopped?: boolean
}

export function readAppState(app: string): AppState {
  try {
    const v = JSON.parse(readFileSync(appPaths(app).state, 'utf8')) as unknown
    return v !== null && typeof v === 'object' ? (v as AppState) : {}
  } catch {
    return {}
  }
}

/** Record (or clear) the sticky `stopped` flag; an empty state removes the file. */
export function writeStopped(app: string, stopped: boolean): void {
  const p = appPaths(app)
  const state: AppState = { ...readAppState(app), stopped }
  if (!stopped) delete state.stopped
  if (Object.keys(state).length === 0) {
    if (existsSync(p.state)) rmSync(p.state, { force: true })
    return
  }
  writeFileAtomic(p.state, JSON.stringify(state) + '\n', 0o600)
}
