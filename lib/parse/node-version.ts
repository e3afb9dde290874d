// node-version: which Node a Node app builds and runs with (pure). NODE_VERSION (piku's key) or, without it,
// package.json's engines.node name a range; the host's node is used when it satisfies it, else nodeenv (as
// piku does) fetches the exact version asked for; otherwise the push is refused with one line.
import { type Result, ok, fail } from '../errors.js'
import { parseRange, parseVersion, satisfies, exactVersion } from './semver-range.js'

export type NodeChoice = { use: 'host'; note?: string } | { use: 'nodeenv'; version: string }

export interface NodeRequirement {
  text: string
  where: string // NODE_VERSION or package.json engines.node
}

/** The requirement: NODE_VERSION when set, else engines.node of package.json (`pkg` as parsed). */
export function readNodeRequirement(env: Record<string, string>, pkg: unknown): NodeRequirement | undefined {
  if (env.NODE_VERSION?.trim()) return { text: env.NODE_VERSION.trim(), where: 'NODE_VERSION' }
  const engines = (pkg as { engines?: { node?: unknown } } | null)?.engines
  if (typeof engines?.node === 'string' && engines.node.trim() !== '') return { text: engines.node.trim(), where: 'package.json engines.node' }
  return undefined
}

export function planNodeVersion(req: NodeRequirement | undefined, hostVersion: string, nodeenv: boolean): Result<NodeChoice> {
  if (!req) return ok({ use: 'host' })
  const range = parseRange(req.text, req.where)
  if (!range.ok) return range
  const host = parseVersion(hostVersion)
  if (host && satisfies(host, range.value)) return ok({ use: 'host', note: `the host's Node ${hostVersion} satisfies ${req.where} ${JSON.stringify(req.text)}` })
  const needs = `${req.where} ${JSON.stringify(req.text)}: the app needs Node ${req.text}, this host has ${hostVersion}`
  const exact = exactVersion(req.text)
  if (nodeenv && exact) return ok({ use: 'nodeenv', version: exact })
  if (nodeenv) return fail(`${needs}; nodeenv fetches only an exact version (such as 18.20.4): set NODE_VERSION to one`)
  return fail(`${needs}; install nodeenv on the host (apt install nodeenv) to let piku-hooks fetch it, or change ${req.where}`)
}
