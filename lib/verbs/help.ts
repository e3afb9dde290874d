// help: every verb, one line each, from the verb table.
import { renderHelp, type VerbContext } from './index.js'

export async function run(_ctx: VerbContext, _args: string[]): Promise<number> {
  process.stdout.write(renderHelp())
  return 0
}
