// log: the one output format. Data goes to stdout; progress and messages go to stderr.
import { stderr, stdout } from 'node:process'
import { Chalk } from 'chalk'

// git relays hook output through a pipe, so colour follows the pusher's terminal only when asked
let chalk: InstanceType<typeof Chalk> | undefined
function paint(color: 'green' | 'yellow' | 'red', s: string): string {
  chalk ??= new Chalk({ level: stderr.isTTY && !process.env.NO_COLOR ? 1 : 0 })
  return chalk[color](s)
}

// a copy of everything written to stderr goes to the tee while one is set (the deploy log of a push)
let tee: ((text: string) => void) | undefined

/** Send a copy of every message (colour removed), and of child output passed to raw(), to `sink` too. */
export function teeTo(sink: ((text: string) => void) | undefined): void {
  tee = sink
}

function write(text: string): void {
  stderr.write(text)
  tee?.(text.replace(/\x1b\[[0-9;]*m/g, ''))
}

/** Output of a child process (a build, a release command), shown to the pusher as it is. */
export function raw(chunk: string | Uint8Array): void {
  stderr.write(chunk)
  tee?.(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
}

/** A deploy phase line, as piku prints them: `-----> text`. */
export function step(text: string): void {
  write(paint('green', '-----> ') + text + '\n')
}

export function info(text: string): void {
  write('       ' + text + '\n')
}

export function warn(text: string): void {
  write(paint('yellow', 'warning: ') + text + '\n')
}

export function error(text: string): void {
  write(paint('red', 'error: ') + text + '\n')
}

/** The one-line error an entry point ends with: never coloured, since a script or a test may read it. */
export function failure(text: string): void {
  write('error: ' + text + '\n')
}

export function out(text: string): void {
  stdout.write(text.endsWith('\n') ? text : text + '\n')
}
