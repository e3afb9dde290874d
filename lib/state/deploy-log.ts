// deploy-log: a copy of one deploy's output in logs/APP/deploys/ID.log (0600), capped, so a push that
// scrolled by can be read again (`logs:deploy APP [RELEASE]`). The newest PIKU_KEEP_RELEASES are kept (lib/upkeep.ts).
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs'
import { appPaths, joinWithin } from './paths.js'
import { DEPLOY_LOG_MAX_BYTES } from './upkeep.js'
import * as log from '../log.js'
import { isErrno } from '../errors.js'

export interface DeployLog {
  file: string
  write(text: string): void
  close(): void
}

export function deployLogFile(app: string, id: string): string {
  return joinWithin(appPaths(app).deployLogs, `${id}.log`)
}

/** Start copying every message and build output to the release's deploy log; close() stops it. `append`
 *  adds to the log of a deploy that already ran (post-receive's scripts). */
export function openDeployLog(app: string, id: string, maxBytes = DEPLOY_LOG_MAX_BYTES, append = false): DeployLog {
  mkdirSync(appPaths(app).deployLogs, { recursive: true, mode: 0o700 })
  const file = deployLogFile(app, id)
  let written = 0
  if (append) {
    try {
      written = statSync(file).size
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e
    }
  }
  let fd: number | undefined = openSync(file, append ? 'a' : 'w', 0o600)
  const write = (text: string): void => {
    if (fd === undefined) return
    const buf = Buffer.from(text, 'utf8')
    try {
      if (written + buf.length > maxBytes) {
        writeSync(fd, buf.subarray(0, Math.max(0, maxBytes - written)))
        writeSync(fd, `\n[deploy log cut at ${maxBytes} bytes]\n`)
        closeSync(fd)
        fd = undefined
        return
      }
      writeSync(fd, buf)
      written += buf.length
    } catch {
      fd = undefined // broad on purpose: a full disk (or any write failure of this log) must not fail the deploy
    }
  }
  write(`${new Date().toISOString()} ${append ? 'post-receive after the deploy' : 'deploy'} of ${app} ${id}\n`)
  log.teeTo(write)
  return {
    file,
    write,
    close() {
      log.teeTo(undefined)
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}
