// audit-detail: what an audited verb's audit line says it changed (its `detail`), from its arguments;
// never a secret (config values are left out). The verb table names one of these per audited verb.

/** `args` as the verb got them (the app first for app verbs). */
export type AuditDetail = (args: string[]) => string

/** The config keys named by `KEY=VALUE` / `KEY` words, never the values. */
function keysOf(words: string[]): string {
  return words.map((w) => (w.includes('=') ? w.slice(0, w.indexOf('=')) : w)).join(' ')
}

/** Nothing beyond the verb and its app (deploy, restart, stop). */
export const auditBare: AuditDetail = () => ''
/** The arguments after the app (ps:scale, rollback, destroy, run, backup). */
export const auditAfterApp: AuditDetail = (args) => args.slice(1).join(' ')
/** The first argument after the app alone (auth:add, auth:remove: the user, never a stray password). */
export const auditFirstAfterApp: AuditDetail = (args) => args[1] ?? ''
/** Every argument (keys:add, keys:remove, restore: its app may not exist yet). */
export const auditAll: AuditDetail = (args) => args.join(' ')
/** config:set: the keys set, without their values. */
export const auditConfigSet: AuditDetail = (args) => `set ${keysOf(args.slice(1).filter((w) => w.includes('=')))}`.trim()
/** config:unset: the keys removed. */
export const auditConfigUnset: AuditDetail = (args) => `unset ${keysOf(args.slice(1))}`.trim()
/** A fixed description (setup:ssh: the key comes from stdin). */
export const auditSays =
  (text: string): AuditDetail =>
  () =>
    text
