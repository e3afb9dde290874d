// host-settings: reads host.env, the settings install.sh wrote for this user.
import { readFileSync } from 'node:fs'
import { hostPaths } from './paths.js'

export interface HostSettings {
  user: string
  httpPort: number
  httpsPort: number
  listen: string[]
  domain?: string
  acme: Record<string, string | undefined> // host-wide ACME_ROOT_CA, ACME_EMAIL, ACME_CA_BUNDLE (an app's env wins)
  memoryCgroup?: string // MEMORY_CGROUP: the user's memory cgroup subtree; absent when the host has none
}

export function parseHostEnv(text: string): HostSettings {
  const v: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (m) v[m[1]] = m[2].replace(/^"(.*)"$/, '$1')
  }
  return {
    user: v.PIKU_USER ?? '',
    httpPort: Number(v.HTTP_PORT ?? 80),
    httpsPort: Number(v.HTTPS_PORT ?? 443),
    listen: (v.LISTEN ?? '').split(/\s+/).filter(Boolean),
    domain: v.DOMAIN || undefined,
    acme: { ACME_ROOT_CA: v.ACME_ROOT_CA, ACME_EMAIL: v.ACME_EMAIL, ACME_CA_BUNDLE: v.ACME_CA_BUNDLE },
    memoryCgroup: v.MEMORY_CGROUP || undefined,
  }
}

export function readHostSettings(): HostSettings {
  const p = hostPaths()
  let text = ''
  try {
    text = readFileSync(p.settings, 'utf8')
  } catch {}
  const s = parseHostEnv(text)
  if (!s.user) s.user = process.env.USER ?? 'piku'
  return s
}
