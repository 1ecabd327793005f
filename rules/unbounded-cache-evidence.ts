import type { Access } from '../engine/facts/access.js';
import { growingWrite, keyChain } from '../engine/facts/array-growth.js';
import { dataObjectParameter, rowItemParameter } from '../engine/facts/data-evidence.js';
import { varName, type Facts } from '../engine/facts/index.js';
import { keyProvenance } from '../engine/facts/key-provenance.js';
import type { PhpNode } from '../engine/nodes.js';

// What makes an unbounded-cache finding worth acting on: evidence that the array grows with the
// data the process handles, said in the message ("keyed by `$value`, the argument passed to the
// public `Str::camel()`"). Without it the rule is silent (rules/unbounded-cache.md, "Key provenance").

export interface Evidence {
  per: 'key' | 'call' | 'instance';
  text: string;
  /** Growth bounded by something phpleak cannot count (the rows of a table that may be a small catalogue, how often a registration repeats): capped at warning. */
  catalogue?: true;
  /**
   * An append of a value the caller passes to a public method (`appendStyle($url)`), not of an
   * object or of an item of the data handled: it grows with the calls the code makes.
   */
  argument?: true;
}

/**
 * Why the write grows with data: a key with positive evidence of run-time data, or, for an
 * append, a value that is (`self::$events[] = $event` for an object handed to a public API,
 * `self::$instances[] = $this`).
 */
export function dataEvidence(facts: Facts, w: Access, textOf: (n: PhpNode) => string): Evidence | null {
  const keys = keyChain(w);
  const provenances = keys.map((k) => (k === false ? null : keyProvenance(k, facts)));
  const strong = provenances.find((p) => p?.strong && !p.catalogue) ?? provenances.find((p) => p?.strong);
  if (strong) return { per: 'key', text: `keyed by ${strong.why}`, ...(strong.catalogue ? { catalogue: true as const } : {}) };
  // A user's id alone is bounded by the users; per user × something not fixed by the code
  // (an entity, a document) it grows with that something.
  const person = provenances.find((p) => p?.person);
  const other = provenances.find((p) => p && !p.person && p.origin === 'data');
  if (person && other) return { per: 'key', text: `keyed by ${person.why} × ${other.why}` };
  if (keys.length > 0 && !keys.includes(false)) return null;
  const write = growingWrite(w);
  if (!write) return null;
  const values = write.kind === 'call' ? write.arguments.slice(1) : write.kind === 'assign' || write.kind === 'assignref' ? [write.right] : [];
  for (const v of values.flatMap(valueParts)) {
    if (varName(v) === 'this') return { per: 'instance', text: 'each new instance appends itself (`$this`)' };
    const p = keyProvenance(v, facts);
    const n = varName(v);
    const scope = facts.scopeOf(v);
    if (p.strong) return { per: 'call', text: `appends ${p.why}`, ...(n && scope.params.has(n) ? { argument: true as const } : {}) };
    const param = n ? scope.params.get(n) : undefined;
    const object = param && n ? dataObjectParameter(param, n, scope) : null;
    if (object) return { per: 'call', text: `appends ${object}` };
    // `self::$json['rows'][] = $record->formatted` in a handler's write(): one per record handled.
    let root = v;
    while (root.kind === 'offsetlookup' || root.kind === 'propertylookup' || root.kind === 'nullsafepropertylookup') root = root.what;
    const rn = varName(root);
    const rp = rn && rn !== 'this' ? scope.params.get(rn) : undefined;
    const item = rp && rn ? rowItemParameter(rp, rn) : null;
    if (item) return { per: 'call', text: `appends \`${textOf(v)}\` of each ${item} handled` };
  }
  return null;
}

/** The parts of an appended value that carry data: `new Entry($user, $action)`, `[$user, $action]`. */
function valueParts(v: PhpNode): PhpNode[] {
  if (v.kind === 'new') return v.arguments.flatMap(valueParts);
  if (v.kind === 'array') return v.items.flatMap((i) => valueParts(i.kind === 'entry' ? i.value : i));
  return [v];
}
