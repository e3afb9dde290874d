// host-env: parse host.env, the settings install.sh wrote for this user (render/host.ts writes it), with the
// ENV line reader (env-file.ts). Read from disk by state/host-settings.ts.
import { parseEnvLines } from './env-file.js'

export interface HostSettings {
  user: string
  httpPort: number
  httpsPort: number
  listen: string[]
  domain?: string
  acme: Record<string, string | undefined> // host-wide ACME_ROOT_CA, ACME_EMAIL, ACME_CA_BUNDLE (an app's env wins)
  memoryCgroup?: string // MEMORY_CGROUP: the user's memory cgroup subtree; absent when the host has none
  sandbox: SandboxMode // SANDBOX: auto (each app in its sandbox where the kernel allows, a warning where not), require (a push fails where not), off
}

export type SandboxMode = 'auto' | 'require' | 'off'

/** host.env's SANDBOX, `auto` when absent or not one of the three. */
export function parseSandboxMode(v: string | undefined): SandboxMode {
  return v === 'require' || v === 'off' ? v : 'auto'
}

/** The host's settings; a line that does not fit is left out (as it always was: an edit must not stop every deploy). */
export function parseHostEnv(text: string): HostSettings {
  const v: Record<string, string | undefined> = parseEnvLines(text, { file: 'host.env' }).values
  return {
    user: v.PIKU_USER ?? '',
    httpPort: Number(v.HTTP_PORT ?? 80),
    httpsPort: Number(v.HTTPS_PORT ?? 443),
    listen: (v.LISTEN ?? '').split(/\s+/).filter(Boolean),
    domain: v.DOMAIN || undefined,
    acme: { ACME_ROOT_CA: v.ACME_ROOT_CA, ACME_EMAIL: v.ACME_EMAIL, ACME_CA_BUNDLE: v.ACME_CA_BUNDLE },
    memoryCgroup: v.MEMORY_CGROUP || undefined,
    sandbox: parseSandboxMode(v.SANDBOX),
  }
}
