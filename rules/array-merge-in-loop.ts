import type { Assign, Call, Loop, PhpNode } from '../engine/nodes.js';
import { isFunctionLike } from '../engine/nodes.js';
import { nodesUnder as descendants } from '../engine/facts/subtree.js';
import { fixedIterationTotal, iteratesConfiguration } from '../engine/facts/fixed-iterations.js';
import { dataSizedLoop, type DataEvidence } from '../engine/facts/data-size.js';
import { enclosingLoops, enclosingTries, functionName, thisPropertyName, typeNames, varName, type Facts, type Scope } from '../engine/facts/index.js';
import type { Fixer } from '../engine/fixes.js';
import { defineRule } from '../engine/rule.js';
import { copyingDwarfed } from './array-merge-in-loop-worth.js';
import type { SourceFile } from '../engine/source.js';
import type { Fix } from '../engine/types.js';

// `$a = array_merge($a, …)`, `$a = [...$a, …]` and `$a = $a + …` in a loop build a new array
// holding a copy of everything accumulated so far, on every iteration: quadratic in the size
// of the result. `$a += …` and `$a[] = …` add in place and are not flagged.

const MERGERS = new Set(['array_merge', 'array_merge_recursive', 'array_replace', 'array_replace_recursive']);
/** Loops whose text fixes at most this many iterations (in total) copy too little to matter. */
const SMALL_FIXED_LOOP = 100;

/** Builtins that return an array for any argument they accept (else they throw). */
const ARRAY_RESULT = new Set([
  'array_map', 'array_filter', 'array_values', 'array_keys', 'array_merge', 'array_merge_recursive', 'array_replace',
  'array_replace_recursive', 'array_slice', 'array_reverse', 'array_unique', 'array_column', 'array_combine', 'array_fill',
  'array_fill_keys', 'array_flip', 'array_diff', 'array_diff_key', 'array_diff_assoc', 'array_udiff', 'array_intersect',
  'array_intersect_key', 'array_intersect_assoc', 'array_pad', 'array_chunk', 'array_count_values', 'array_change_key_case',
  'explode', 'str_split', 'range', 'compact', 'func_get_args', 'get_object_vars', 'iterator_to_array', 'str_getcsv',
]);

type Shape = 'merge' | 'spread' | 'union';

export default defineRule({
  meta: {
    id: 'array-merge-in-loop',
    severity: 'info',
    fixable: 'sometimes',
    description: '`$a = array_merge($a, …)` (or `[...$a, …]`, `$a + …`) inside a loop: every iteration copies the whole accumulated array.',
    messages: {
      merge: '`{{fn}}()` of `{{lhs}}` with itself in a loop copies the whole array on every iteration',
      spread: '`{{lhs}} = [...{{lhs}}, …]` in a loop copies the whole array on every iteration',
      union: '`{{lhs}} = {{lhs}} + …` in a loop copies the whole array on every iteration',
    },
    details: {
      merge: 'The loop runs over {{why}}. Reassigning `{{lhs}}` with `{{fn}}()` of itself inside it copies everything accumulated in `{{lhs}}` into a new array on every iteration, so the work grows with the square of the result (measured on PHP 8.2: 2,000 parts of 50 ints take 487 ms this way, 0.7 ms with one `array_merge(...$parts)`).',
      spread: 'The loop runs over {{why}}. `{{lhs}} = [...{{lhs}}, …]` inside it copies everything accumulated in `{{lhs}}` into a new array on every iteration, so the work grows with the square of the result.',
      union: 'The loop runs over {{why}}. `{{lhs}} = {{lhs}} + …` inside it builds a new array with a copy of `{{lhs}}` on every iteration (measured on PHP 8.2: 2,000 unions of 50 keys take about 1 s, against 6 ms with `+=`, which adds in place).',
    },
    tips: {
      merge: 'Collect the parts in the loop (`$parts[] = $part;`) and call `{{fn}}()` once after it: `{{once}}`.',
      spread: 'Collect the parts in the loop (`$parts[] = $part;`) and merge once after it: `{{lhs}} = array_merge({{lhs}}, ...$parts);`, or append items with `{{lhs}}[] = $item;`.',
      union: 'Write `{{lhs}} += …;`: the union is then added in place, without copying `{{lhs}}`.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    // Tests merge a handful of fixtures; the copies cost nothing anyone would change.
    if (ctx.isTestFile) return {};
    // Decided at the end: the facts about the function (its parameters' other writes,
    // references, closures) are complete only then.
    const candidates: Assign[] = [];
    const check = (node: Assign): void => {
      const lhs = accumulatorText(node.left, ctx.file);
      if (lhs === null) return;
      const shape = shapeOf(node, lhs, ctx.file, ctx.facts);
      if (shape === null) return;
      const loops = enclosingLoops(node);
      if (loops.length === 0 || smallFixedLoops(loops, ctx.facts.scopeOf(loops[0]!))) return;
      if (isLoopVariable(loops[0]!, baseOf(node.left)) || resetInLoop(loops[0]!, node, lhs, ctx.file)) return;
      if (leavesLoopAfter(node, loops[0]!)) return;
      // Only a loop that runs once per row, line or record of data makes the copying cost
      // something: a loop over a few providers, fields or servers copies a few small arrays.
      const evidence = accumulatingDataLoop(loops, node, lhs, ctx.file, ctx.facts);
      if (!evidence || copyingDwarfed(evidence.loop, evidence, isLocal(node.left, ctx.facts), ctx.facts) !== null) return;
      const fn = shape === 'merge' ? functionName(node.right as Call) ?? 'array_merge' : '';
      const lhsText = ctx.file.textOf(node.left);
      ctx.report({
        at: node, messageId: shape, data: { lhs: lhsText, fn, why: evidence.what, once: shape === 'merge' ? mergeOnce(node.right as Call, fn, lhs, lhsText, ctx.file) : '' },
        fix: (fixer) => shape === 'union' ? unionFix(node, fixer, ctx.file) : shape === 'merge' ? collectFix(node, loops, fixer, ctx.file, ctx.facts) : null,
      });
    };
    return {
      assign(node) {
        if (node.operator === '=' && (node.right.kind === 'call' || node.right.kind === 'array' || node.right.kind === 'bin')) candidates.push(node);
      },
      'program:exit'() {
        for (const node of candidates) check(node);
      },
    };
  },
});

/**
 * Normalised text of an accumulator: a variable, `$this->p`, `self::$p`, or `[...]` on them
 * with constant keys. A key that is a variable (`$config[$option] = array_merge(…)` in a loop
 * over options) usually names a different element in each iteration: nothing accumulates.
 */
function accumulatorText(left: PhpNode, file: SourceFile): string | null {
  let n = left;
  while (n.kind === 'offsetlookup') {
    if (n.offset === false || !isPlainKey(n.offset)) return null;
    n = n.what;
  }
  const ok = (varName(n) !== null && varName(n) !== 'this') || thisPropertyName(n) !== null
    || (n.kind === 'staticlookup' && n.offset.kind === 'variable' && (n.what.kind === 'selfreference' || n.what.kind === 'staticreference' || n.what.kind === 'name'));
  return ok ? norm(file.textOf(left)) : null;
}

function isPlainKey(k: PhpNode): boolean {
  return k.kind === 'string' || k.kind === 'number' || (k.kind === 'staticlookup' && k.offset.kind === 'identifier');
}

function norm(text: string): string { return text.replace(/\s+/g, ''); }

function shapeOf(node: Assign, lhs: string, file: SourceFile, facts: Facts): Shape | null {
  const r = node.right;
  if (r.kind === 'call') {
    const fn = functionName(r);
    if (fn === null || !MERGERS.has(fn)) return null;
    return r.arguments.some((a) => a.kind !== 'variadic' && a.kind !== 'namedargument' && norm(file.textOf(a)) === lhs) ? 'merge' : null;
  }
  if (r.kind === 'array') {
    return r.items.some((it) => it.kind === 'entry' && it.unpack && norm(file.textOf(it.value)) === lhs) ? 'spread' : null;
  }
  if (r.kind === 'bin' && r.type === '+') {
    const [acc, other] = norm(file.textOf(r.left)) === lhs ? [r.left, r.right] : norm(file.textOf(r.right)) === lhs ? [r.right, r.left] : [null, null];
    if (!acc || !other) return null;
    // `+` on numbers is arithmetic: flag only what is known to be an array.
    return other.kind === 'array' || isKnownArray(node.left, facts) ? 'union' : null;
  }
  return null;
}

/** A variable or property the file declares as an array (type `array`, or initialised with `[]`). */
function isKnownArray(target: PhpNode, facts: Facts): boolean {
  const v = varName(target);
  if (v !== null) {
    const scope = facts.scopeOf(target);
    const p = scope.params.get(v);
    if (p && typeNames(p.type).includes('array')) return true;
    return scope.accesses.some((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign' && a.via.right.kind === 'array');
  }
  const prop = thisPropertyName(target);
  if (prop !== null) {
    const info = facts.classOf(target)?.properties.get(prop);
    return !!info && (typeNames(info.node.type).includes('array') || info.node.value?.kind === 'array');
  }
  return false;
}

/**
 * The first loop around the merge, innermost first, that runs once per row, line or record of
 * data while the accumulator lives on: loops that assign it afresh end the search (outside
 * them nothing accumulates).
 */
function accumulatingDataLoop(loops: readonly Loop[], node: Assign, lhs: string, file: SourceFile, facts: Facts): (DataEvidence & { loop: Loop }) | null {
  for (const [i, loop] of loops.entries()) {
    if (i > 0 && resetInLoop(loop, node, lhs, file)) return null;
    const e = dataSizedLoop(loop, facts);
    if (e) return { ...e, loop };
  }
  return null;
}

/** A local variable of the function (not a parameter by reference, a global or a static): it dies with the call. */
function isLocal(left: PhpNode, facts: Facts): boolean {
  const v = varName(baseOf(left));
  if (v === null) return false;
  const scope = facts.scopeOf(left);
  return scope.kind !== 'program' && !scope.globals.has(v) && !scope.staticVars.has(v) && !scope.params.get(v)?.byref;
}

/** `foreach (…) { $a = array_merge($a, …); break; }`: a later statement of the same block leaves the loop, so the merge runs once. */
function leavesLoopAfter(node: Assign, loop: Loop): boolean {
  let stmt: PhpNode = node;
  while (stmt.parent && stmt.parent.kind !== 'block' && stmt.parent !== loop) stmt = stmt.parent;
  const block = stmt.parent;
  if (!block || block.kind !== 'block') return false;
  const after = block.children.slice(block.children.indexOf(stmt) + 1);
  return after.some((s) => (s.kind === 'break' && (!s.level || Number((s.level as { value?: unknown }).value ?? 1) >= 1) && nearestLoop(s) === loop)
    || s.kind === 'return' || s.kind === 'throw' || (s.kind === 'expressionstatement' && s.expression.kind === 'throw'));
}

function nearestLoop(n: PhpNode): PhpNode | null {
  for (let p = n.parent; p; p = p.parent) if (p.kind === 'foreach' || p.kind === 'for' || p.kind === 'while' || p.kind === 'do' || p.kind === 'switch') return p;
  return null;
}

function smallFixedLoops(loops: readonly Loop[], scope: Scope): boolean {
  // A loop over configuration (`$this->servers` set by the constructor) is sized by a person.
  const counted = loops.filter((l) => !iteratesConfiguration(l, scope));
  const total = fixedIterationTotal(counted, scope);
  return total !== null && total <= SMALL_FIXED_LOOP;
}

/**
 * The one call after the loop that gives what the loop's calls gave: the same function (an
 * `array_replace` is not an `array_merge`), and the parts in the order the loop applied them —
 * after the accumulator when it comes first, reversed before it when the loop prepends
 * (`$a = array_replace_recursive($defaults, $a)`). These functions fold left to right, so
 * `f(f(x, p1), p2)` is `f(x, p1, p2)` and `f(p2, f(p1, x))` is `f(p2, p1, x)` (written `f(...array_reverse($parts), ...[$x])`: a positional argument may not follow an unpacked one).
 */
function mergeOnce(call: Call, fn: string, lhs: string, lhsText: string, file: SourceFile): string {
  const args = call.arguments;
  if (args.length === 2 && args.every((a) => a.kind !== 'variadic' && a.kind !== 'namedargument')) {
    if (norm(file.textOf(args[0]!)) === lhs) return `${lhsText} = ${fn}(${lhsText}, ...$parts);`;
    if (norm(file.textOf(args[1]!)) === lhs) return `${lhsText} = ${fn}(...array_reverse($parts), ...[${lhsText}]);`;
  }
  return `${lhsText} = ${fn}(…)` + ' with the parts in the order the loop applied them';
}

/** `foreach ($rows as &$row) { $row = array_merge([…], $row); }`: a new `$row` each iteration. */
function isLoopVariable(loop: Loop, left: PhpNode): boolean {
  const v = varName(left);
  if (v === null || loop.kind !== 'foreach') return false;
  const target = (n: PhpNode | null): string | null => (n && n.kind === 'byref' ? varName(n.what) : varName(n));
  return target(loop.value) === v || target(loop.key) === v;
}

/** `$args` of `$args[0]`: the variable or property a keyed accumulator lives in. */
function baseOf(left: PhpNode): PhpNode {
  let n = left;
  while (n.kind === 'offsetlookup') n = n.what;
  return n;
}

/**
 * The loop also assigns the accumulator, or the array it lives in, afresh (`$a = [];`,
 * `$args = $def->getArguments();` before `$args[0] = array_merge(…)`): it does not accumulate
 * across iterations.
 */
function resetInLoop(loop: Loop, self: Assign, lhs: string, file: SourceFile): boolean {
  const targets = new Set<string>();
  for (let n: PhpNode = self.left; ; n = n.what) {
    targets.add(norm(file.textOf(n)));
    if (n.kind !== 'offsetlookup') break;
  }
  return descendants(loop).some((n) => n !== self && n.kind === 'assign' && n.operator === '=' && targets.has(norm(file.textOf(n.left)))
    && !norm(file.textOf(n.right)).includes(lhs));
}

// ---- fixes ----

/** `$a = $a + X` → `$a += X`: the same union, added in place. */
function unionFix(node: Assign, fixer: Fixer, file: SourceFile): Fix | null {
  const r = node.right;
  if (r.kind !== 'bin' || norm(file.textOf(r.left)) !== norm(file.textOf(node.left))) return null;
  // For a local variable nothing in X can change it between the read and the write; for a
  // property X could (a method call), so the rewrite is offered as unsafe.
  const safety = varName(node.left) !== null ? 'safe' : 'unsafe';
  const why = safety === 'unsafe' ? ' (unsafe: a call in the added part that changes the property is now seen)' : '';
  return fixer.fix(`Use ${file.textOf(node.left)} += …${why}`, [fixer.replace(node, `${file.textOf(node.left)} += ${file.textOf(r.right)}`)], safety);
}

/**
 * Collect the parts in the loop and merge once after it. Offered only where that is the same
 * computation: `$a = array_merge($a, X…)` on a local variable that nothing else in the loop
 * reads or writes, in a braced loop that is a statement of a block, with no try around it
 * (an exception would leave `$a` without the parts of the iterations before). In nested
 * loops the outermost loop that qualifies is used, so the result is linear. array_merge is
 * associative, so `array_merge($a, ...$parts)` gives the same keys and order. Safe when every
 * part is certainly an array (else a TypeError would be thrown after the loop instead of in
 * the iteration: unsafe).
 */
function collectFix(node: Assign, loops: readonly Loop[], fixer: Fixer, file: SourceFile, facts: Facts): Fix | null {
  const call = node.right as Call;
  const acc = varName(node.left);
  if (acc === null || functionName(call) !== 'array_merge') return null;
  const [first, ...parts] = call.arguments;
  if (!first || varName(first) !== acc || parts.length === 0) return null;
  if (parts.some((p) => p.kind === 'variadic' || p.kind === 'namedargument' || descendants(p, true).some((n) => varName(n) === acc))) return null;
  const stmt = node.parent;
  if (!stmt || stmt.kind !== 'expressionstatement') return null;
  const scope = facts.scopeOf(node);
  if (scope.kind === 'program' || !isFunctionLike(scope.node)) return null;
  if (scope.globals.has(acc) || scope.staticVars.has(acc) || scope.params.get(acc)?.byref) return null;
  if (scope.accesses.some((a) => a.storage === 'var' && a.name === acc && a.role === 'assign-ref')) return null;
  if (scope.children.some((c) => c.captures.get(acc) === true)) return null;
  const loop = [...loops].reverse().find((l) => canHoistAround(l, acc));
  if (!loop) return null;
  const holder = loop.parent!;

  const fnText = file.textOf(scope.node);
  let name = `${acc}Parts`;
  for (let i = 2; new RegExp(`\\$${name}\\b`).test(fnText); i++) name = `${acc}Parts${i}`;
  const safe = parts.every((p) => isCertainlyArray(p, facts));
  const eol = fixer.eol;
  const indent = fixer.indentAt(loop);
  const loopSpan = file.spanOf(loop);
  const collect = parts.length === 1 ? `$${name}[] = ${file.textOf(parts[0]!)}` : `array_push($${name}, ${parts.map((p) => file.textOf(p)).join(', ')})`;
  const merge = `$${acc} = array_merge($${acc}, ...$${name});`;
  const after = startsEmpty(loop, holder, acc)
    ? `${eol}${indent}${merge}`
    // With no part collected, array_merge($a) would still renumber $a's integer keys: skip it.
    : `${eol}${indent}if ($${name} !== []) {${eol}${indent}${fixer.indentUnit}${merge}${eol}${indent}}`;
  return fixer.fix(`Collect the parts in the loop and merge once after it${safe ? '' : ' (unsafe: a part that is not an array throws after the loop, not in its iteration)'}`, [
    fixer.insertAt(loopSpan.start, `$${name} = [];${eol}${indent}`),
    fixer.replace(node, collect),
    fixer.insertAt(loopSpan.end, after),
  ], safe ? 'safe' : 'unsafe');
}

/** Can the parts be collected around `loop`: braced, a statement of a block, no try around it, nothing else in it sees `acc`? */
function canHoistAround(loop: Loop, acc: string): boolean {
  if (loop.kind === 'do' || !loop.body || loop.body.kind !== 'block' || (loop as { shortForm?: boolean }).shortForm) return false;
  const holder = loop.parent;
  if (!holder || (holder.kind !== 'block' && holder.kind !== 'program' && holder.kind !== 'namespace')) return false;
  if (enclosingTries(loop).length > 0) return false;
  // Nothing else in the loop may see the accumulator, not even through compact()/extract()/$$name/include.
  const inLoop = descendants(loop, true);
  if (inLoop.filter((n) => varName(n) === acc).length !== 2) return false;
  return !inLoop.some((n) => n.kind === 'include' || n.kind === 'eval' || (n.kind === 'variable' && typeof n.name !== 'string')
    || (n.kind === 'call' && ['compact', 'extract', 'get_defined_vars', 'func_get_args'].includes(functionName(n) ?? '')));
}

/** Is the accumulator `[]` when the loop starts (the last statement before it that mentions it is `$a = [];`)? */
function startsEmpty(loop: Loop, holder: PhpNode, acc: string): boolean {
  const siblings = (holder as { children: PhpNode[] }).children;
  for (let i = siblings.indexOf(loop) - 1; i >= 0; i--) {
    const s = siblings[i]!;
    if (!descendants(s, true).some((n) => varName(n) === acc)) continue;
    return s.kind === 'expressionstatement' && s.expression.kind === 'assign' && s.expression.operator === '='
      && varName(s.expression.left) === acc && s.expression.right.kind === 'array' && s.expression.right.items.length === 0;
  }
  return false;
}

function isCertainlyArray(n: PhpNode, facts: Facts): boolean {
  if (n.kind === 'array') return !n.items.some((it) => it.kind === 'entry' && it.unpack);
  if (n.kind === 'cast') return n.type === 'array';
  if (n.kind === 'call') {
    const fn = functionName(n);
    return fn !== null && ARRAY_RESULT.has(fn);
  }
  const v = varName(n);
  if (v !== null) {
    // An `array` parameter that the function never assigns.
    const scope = facts.scopeOf(n);
    const p = scope.params.get(v);
    return !!p && !p.byref && typeNames(p.type).length === 1 && typeNames(p.type)[0] === 'array' && !p.nullable
      && !scope.accesses.some((a) => a.storage === 'var' && a.name === v && a.role !== 'read' && a.role !== 'keyed-read' && a.role !== 'count' && a.role !== 'lookup');
  }
  return false;
}
