// app-state: small per-app flags kept across deploys, restarts and re-installs in config/APP/state.json:
// `stopped` (by stop, until the next start) and `maintenance` (by maintenance:on, until maintenance:off).
// The one reader, writer and validator of the file.
import { existsSync, rmSync } from 'node:fs'
import { appPaths } from './paths.js'
import { readRecordFile, writeRecordFile, isRecordObject, recordValue, type RecordRead, type RecordCheck } from './record-file.js'

export interface AppState {
  stopped?: boolean
  maintenance?: string // ISO time maintenance:on was switched on
}

/** What makes state.json valid: a JSON object (its flags are each optional). */
function checkAppState(v: unknown): RecordCheck<AppState> {
  return isRecordObject(v) ? { value: v as AppState } : { why: 'not an object' }
}

/** state.json as it is on disk, checked: for recovery, which rebuilds a damaged one. */
export function readAppStateRecord(app: string): RecordRead<AppState> {
  return readRecordFile(appPaths(app).state, checkAppState)
}

/** The app's flags; a missing or damaged state.json reads as none (recovery rebuilds a damaged one). */
export function readAppState(app: string): AppState {
  return recordValue(readAppStateRecord(app)) ?? {}
}

/** Replace the whole state (recovery's rebuild); an empty one removes the file. */
export function replaceAppState(app: string, state: AppState): void {
  const p = appPaths(app)
  if (Object.keys(state).length === 0) rmSync(p.state, { force: true })
  else writeRecordFile(p.state, state, false)
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
  writeRecordFile(p.state, state, false)
  return state as AppState
}

/** Record (or clear) the sticky `stopped` flag. */
export function writeStopped(app: string, stopped: boolean): void {
  writeAppState(app, { stopped })
}
