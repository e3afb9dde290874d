// log: the one output format. Data goes to stdout; progress and messages go to stderr.
import { isatty } from 'node:tty'

// git relays hook output through a pipe, so colour follows the pusher's terminal only when asked; chalk
// loads only where colour can show (a verb that prints data to a pipe starts without it)
const chalk = isatty(2) && !process.env.NO_COLOR ? new (await import('chalk')).Chalk({ level: 1 }) : undefined
function paint(color: 'green' | 'yellow' | 'red', s: string): string {
  return chalk ? chalk[color](s) : s
}

// a copy of everything written to stderr goes to the tee while one is set (the deploy log of a push)
let tee: ((text: string) => void) | undefined

/** Send a copy of every message (colour removed), and of child output passed to raw(), to `sink` too. */
export function teeTo(sink: ((text: string) => void) | undefined): void {
  tee = sink
}

function write(text: string): void {
  process.stderr.write(text)
  tee?.(text.replace(/\x1b\[[0-9;]*m/g, ''))
}

/** Output of a child process (a build, a release command), shown to the pusher as it is. */
export function raw(chunk: string | Uint8Array): void {
  process.stderr.write(chunk)
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

/** A plain message line on stderr (no prefix, no colour): "There are no applications deployed." */
export function note(text: string): void {
  write(text + '\n')
}

/** Data on stdout, exactly as given (a rendered table, a file's content). */
export function out(text: string): void {
  process.stdout.write(text)
}

/** One line of data on stdout (the newline added). */
export function outLine(text: string): void {
  process.stdout.write(text + '\n')
}

/** A value as indented JSON on stdout (a verb's --json). */
export function json(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}
