// site-state: the site controls that outlive deploys (maintenance mode, basic-auth users): record the
// change, then rewrite the live nginx file (write, nginx -t, swap, reload). If nginx refuses the new file,
// the change is undone and nothing live changed.
import { readAppState, writeAppState } from '../state/app-state.js'
import { readAuthUsers, writeAuthUsers } from '../state/basic-auth.js'
import type { AuthUser } from '../parse/htpasswd.js'
import { readActive, readPlan, currentRelease } from '../state/release.js'
import { refreshNginx } from './nginx-app.js'
import { UserError } from '../errors.js'

/** Why an app has no site for these controls, or undefined when its release has server names. */
function noSite(app: string): string | undefined {
  const id = readActive(app)?.release ?? currentRelease(app)
  const plan = id ? readPlan(app, id) : undefined
  if (plan && !plan.serverNames.length) return `"${app}" has no web site (no NGINX_SERVER_NAME, and install.sh had no --domain)`
  return undefined
}

export interface SiteChange {
  live: boolean // the running site was rewritten; false: it applies when the app next starts
}

/** Switch maintenance mode on or off. */
export async function setMaintenance(app: string, on: boolean): Promise<SiteChange & { changed: boolean }> {
  const why = noSite(app)
  if (why && on) throw new UserError(why)
  const before = readAppState(app).maintenance
  if (Boolean(before) === on) return { live: readActive(app) !== undefined, changed: false }
  writeAppState(app, { maintenance: on ? new Date().toISOString() : undefined })
  try {
    return { live: await refreshNginx(app), changed: true }
  } catch (e) {
    writeAppState(app, { maintenance: before })
    throw e
  }
}

/** Replace the app's users (add, change or remove one), then rewrite the site. */
export async function changeAuthUsers(app: string, next: (users: AuthUser[]) => AuthUser[]): Promise<SiteChange & { warning?: string; users: AuthUser[] }> {
  const why = noSite(app)
  if (why) throw new UserError(why)
  const before = readAuthUsers(app)
  const users = next(before)
  const warning = await writeAuthUsers(app, users)
  try {
    return { live: await refreshNginx(app), warning, users }
  } catch (e) {
    await writeAuthUsers(app, before)
    throw e
  }
}
