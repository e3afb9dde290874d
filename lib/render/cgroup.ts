// render/cgroup: the script that puts a worker instance into its memory cgroup (pure). Every capped vassal runs
// it from uwsgi's `exec-asap` (`exec SCRIPT`, so its parent is the vassal's master), before the master starts
// anything: the master, the launcher, the Procfile command and uwsgi's workers all run inside the group. It makes
// the group if it is gone (a reboot clears cgroups), sets the cap and joins; a failure is said in the worker's
// log, never silent, and never stops the worker (uwsgi treats a failed exec-asap as fatal).
import { planGroupLimits, type CgroupVersion } from '../parse/cgroup.js'

export interface GroupJoin {
  dir: string // the instance's group
  version: CgroupVersion
  bytes: number
  label: string // e.g. `96M (PIKU_MEMORY_MAX_WORKER)`, for the log line
}

const SAFE_DIR = /^\/[A-Za-z0-9._@\/-]+$/

export function renderGroupJoin(g: GroupJoin, pid: '$$' | '$PPID' = '$PPID'): string {
  if (!SAFE_DIR.test(g.dir) || g.dir.includes('..')) throw new Error(`unsafe cgroup path: ${JSON.stringify(g.dir)}`)
  const limits = planGroupLimits(g.version, g.bytes)
  const required = limits.filter((l) => !l.optional).map((l) => `echo ${l.value} >"$cg/${l.file}"`)
  const optional = limits.filter((l) => l.optional).map((l) => `{ [ ! -e "$cg/${l.file}" ] || echo ${l.value} >"$cg/${l.file}"; } 2>/dev/null`)
  return [
    `# memory cap ${g.label.replace(/[\r\n]/g, ' ')}: this process and all it starts run in their own memory cgroup`,
    `cg='${g.dir}'`, // SAFE_DIR: nothing to quote
    `[ -d "$cg" ] || mkdir "$cg" 2>/dev/null`,
    `if { ${required.join(' && ')} && echo "${pid}" >"$cg/cgroup.procs"; } 2>/dev/null; then`,
    ...optional.map((l) => `  ${l}`),
    'else',
    `  echo "piku-hooks: memory cap ${g.label.replace(/["\\$`\r\n]/g, '')} NOT enforced: cannot join $cg" >&2`,
    'fi',
  ].join('\n')
}

/** The whole exec-asap script of one instance. */
export function renderMemoryScript(title: string, g: GroupJoin): string {
  return ['#!/bin/sh', `# piku-hooks: memory cgroup of ${title.replace(/[\r\n]/g, ' ')} (generated), run by uwsgi exec-asap in the vassal's master`, renderGroupJoin(g, '$PPID'), 'exit 0', ''].join('\n')
}
