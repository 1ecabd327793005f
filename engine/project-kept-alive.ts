import { shortClassName } from './facts/imports.js';
import type { KeptAlive } from './project-index.js';
import type { Related } from './types.js';

// How a chain of holders that keeps a class alive reads: in a finding's details and as its
// related locations (engine/project-index.ts `enrich`).

const code = (fqn: string): string => `\`${shortClassName(fqn)}\``;

/** "`ArrayBasedCache` is kept alive by `UserService` (src/UserService.php:20), held by bin/worker.php, a worker loop around `pop()` (line 9)" */
export function keptAliveText(fqn: string, kept: KeptAlive): string {
  const parts = kept.links.map((l, i) => {
    const last = i === kept.links.length - 1;
    const who = l.hold.holder ? `${code(l.hold.holder)}${last ? ` in ${l.path}` : ` (${l.path}:${l.hold.range.start.line})`}` : l.path;
    return last ? `${who}, ${kept.reason}` : who;
  });
  return `${code(fqn)} is kept alive by ${parts.join(', held by ')}`;
}

/** A related location per holder of the chain, the last naming why its file does not end. */
export function relatedOf(fqn: string, kept: KeptAlive): Related[] {
  let held = fqn;
  return kept.links.map((l, i) => {
    const who = l.hold.holder ? code(l.hold.holder) : 'this code';
    const how = l.hold.via === 'new' ? 'creates' : l.hold.via === 'property' ? 'holds' : 'is given';
    const tail = i === kept.links.length - 1 ? `: ${kept.reason}, which does not end after one request` : '';
    const r: Related = { path: l.path, range: l.hold.range, message: `kept alive by ${who}, which ${how} ${code(held)} here${tail}` };
    held = l.hold.holder ?? held;
    return r;
  });
}
