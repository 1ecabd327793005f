import { Facts } from '../../engine/facts/index.js';
import type { Program } from '../../engine/nodes.js';
import { parsePhp } from '../../engine/parse.js';
import { walk } from '../../engine/walk.js';

/**
 * The engine's facts of `text`, collected by the one walk as the linter does. `clean`: the text
 * must parse without any problem (a probe in recovered code would test the recovery instead).
 */
export function factsOf(text: string, opts: { clean?: boolean } = {}): { facts: Facts; program: Program } {
  const parsed = parsePhp(text, 't.php');
  if (!parsed.ok || (opts.clean && parsed.problems.length)) throw new Error(`parse: ${parsed.problems.map((p) => p.message).join('; ')}`);
  const facts = new Facts();
  walk(parsed.program, { enter: new Map(), exit: new Map(), anyEnter: (n) => facts.enter(n), anyExit: (n) => facts.exit(n) });
  return { facts, program: parsed.program as Program };
}
