import type { Access } from '../engine/facts/access.js';
import { growingWrite, keyChain } from '../engine/facts/array-growth.js';
import { dataObjectParameter, rowItemParameter } from '../engine/facts/data-evidence.js';
import { varName, type Facts } from '../engine/facts/index.js';
import { keyProvenance } from '../engine/facts/key-provenance.js';
import type { Parameter, PhpNode } from '../engine/nodes.js';

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
  /**
   * The evidence is only that callers of public methods hand these parameters over: what the
   * callers pass decides (the cross-file pass drops the finding when every caller passes code).
   */
  params?: Parameter[];
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
  if (strong) {
    // Decided by callers only when every part with evidence comes from parameters.
    const all = provenances.filter((p) => p?.strong);
    const params = all.every((p) => p!.params) ? all.flatMap((p) => p!.params!) : null;
    return { per: 'key', text: `keyed by ${strong.why}`, ...(strong.catalogue ? { catalogue: true as const } : {}), ...(params ? { params } : {}) };
  }
  // A user's id alone is bounded by the users; per user × something not fixed by the code
  // (an entity, a document) it grows with that something.
  const person = provenances.find((p) => p?.person);
  const other = provenances.find((p) => p && !p.person && p.origin === 'data');
  if (person && other) return { per: 'key', text: `keyed by ${person.why} × ${other.why}` };
  if (keys.length > 0 && !keys.includes(false)) return null;
  const write = growingWrite(w);
  if (!write) return null;
  const values = write.kind === 'call' ? write.arguments.slice(1) : write.kind === 'assign' || write.kind === 'assignref' ? [write.right] : [];
  const parts = values.flatMap(valueParts);
  for (const [i, v] of parts.entries()) {
    const e = valueEvidence(v, facts, textOf);
    if (!e) continue;
    if (!e.params) return e;
    // Decided by callers only when no other part is data for another reason.
    const params = [...e.params];
    for (const o of parts.slice(i + 1)) {
      const other = valueEvidence(o, facts, textOf);
      if (!other) continue;
      if (!other.params) return withoutParams(e);
      params.push(...other.params);
    }
    return { ...e, params };
  }
  return null;
}

function withoutParams(e: Evidence): Evidence {
  const { params: _, ...rest } = e;
  return rest;
}

/** Why an appended value (or a part of it) grows with data, or null. */
function valueEvidence(v: PhpNode, facts: Facts, textOf: (n: PhpNode) => string): Evidence | null {
  if (varName(v) === 'this') return { per: 'instance', text: 'each new instance appends itself (`$this`)' };
  const p = keyProvenance(v, facts);
  const n = varName(v);
  const scope = facts.scopeOf(v);
  if (p.strong) return { per: 'call', text: `appends ${p.why}`, ...(n && scope.params.has(n) ? { argument: true as const } : {}), ...(p.params ? { params: p.params } : {}) };
  const param = n ? scope.params.get(n) : undefined;
  const object = param && n ? dataObjectParameter(param, n, scope) : null;
  if (object) return { per: 'call', text: `appends ${object}`, params: [param!] };
  // `self::$json['rows'][] = $record->formatted` in a handler's write(): one per record handled.
  let root = v;
  while (root.kind === 'offsetlookup' || root.kind === 'propertylookup' || root.kind === 'nullsafepropertylookup') root = root.what;
  const rn = varName(root);
  const rp = rn && rn !== 'this' ? scope.params.get(rn) : undefined;
  const item = rp && rn ? rowItemParameter(rp, rn) : null;
  if (item) return { per: 'call', text: `appends \`${textOf(v)}\` of each ${item} handled` };
  return null;
}

/** The parts of an appended value that carry data: `new Entry($user, $action)`, `[$user, $action]`. */
function valueParts(v: PhpNode): PhpNode[] {
  if (v.kind === 'new') return v.arguments.flatMap(valueParts);
  if (v.kind === 'array') return v.items.flatMap((i) => valueParts(i.kind === 'entry' ? i.value : i));
  return [v];
}
