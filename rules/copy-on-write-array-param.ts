import { defineRule } from '../engine/rule.js';
import type { Call, FunctionLike, Parameter, PhpNode } from '../engine/nodes.js';
import { argumentAt, docblockOf, functionName, isWithin as isWithinNode, typeNames, varName, type Access, type ClassFacts, type Scope } from '../engine/facts/index.js';
import { dataSizedArray, type DataEvidence } from '../engine/facts/data-size.js';

// PHP passes arrays by value with copy-on-write: the callee shares the caller's array until it
// first writes to it, and then duplicates the whole array (measured: a 1,000,000-int array,
// peak +16,388 KB on `$t[] = 1`; +0 for read-only use; the talk: 512 MB -> 1,024 MB). A memory
// spike per call, not a leak: the copy is freed when the function returns.

type MessageId = 'write';

/** By-reference builtins whose array argument is overwritten, not modified: no copy of the input. */
const OVERWRITING: ReadonlySet<string> = new Set(['preg_match', 'preg_match_all', 'parse_str']);
/** By-reference builtins that do not duplicate the array (measured: +0 KB). */
const NOT_COPYING: ReadonlySet<string> = new Set(['extract', 'settype']);

interface Options {
  /** Also treat untyped parameters documented as arrays (`@param array|list<…>|T[] $p`). */
  checkDocblocks: boolean;
}

export default defineRule({
  meta: {
    id: 'copy-on-write-array-param',
    severity: 'info',
    // A copy in a build or dev script costs one run of a tool, never a worker's memory.
    silentInOneShot: true,
    fixable: 'sometimes',
    description: 'A by-value array parameter is written to: PHP duplicates the caller\'s whole array on the first write.',
    messages: {
      write: 'Writing to by-value array parameter `${{name}}` copies the caller\'s whole array',
    },
    details: {
      write:
        '`${{name}}` is an array parameter passed by value, a caller in this file passes it an array sized by {{why}}, and {{what}} writes to it: PHP then duplicates the whole array the caller passed '
        + '(copy-on-write), so during the call both copies are in memory (the talk: a 512 MB array made the peak 1,024 MB). '
        + 'A memory spike per call, not a leak, and cheap for small arrays.',
    },
    tips: {
      write: 'If the array can be large, do not modify the parameter: collect changes in a new array, or pass an object; '
        + 'take `&${{name}}` only if changing the caller\'s array is intended.',
    },
  },
  defaultOptions: { checkDocblocks: true } as Options,
  create(context) {
    const { facts, file } = context;
    // Tests pass small literal arrays; the copy they cause costs nothing anyone would change.
    if (context.isTestFile) return {};

    /**
     * Only a copy that costs something and can be avoided: a caller in this file passes a
     * data-sized array (rows fetched, lines of a file, an array it fills per row of data, or
     * one built big with `range()`/`array_fill()`), and the function does not take-modify-return
     * it (`$form`, an options array with defaults added, `$config` in a constructor: the caller
     * gets the new array back, and any way of building it holds both for a moment). A name
     * alone (`$rows`, `$values`) is no evidence: most such arrays hold a few entries.
     */
    function dataEvidence(fn: FunctionLike, scope: Scope, param: Parameter, name: string): DataEvidence | null {
      if (fn.kind === 'method' && scope.name === '__construct') return null;
      if (returnsParam(scope, name)) return null;
      const index = fn.arguments.indexOf(param);
      for (const call of callersOf(fn)) {
        // `parent::mapRecords($records)` inside the method itself says nothing about its callers.
        if (isWithinNode(call, fn)) continue;
        const arg = argumentAt(call, index, name);
        if (!arg || call.arguments.some((a) => a.kind === 'variadic')) continue;
        const e = dataSizedArray(arg, facts) ?? builtBig(arg, facts.scopeOf(call));
        // A caller's own parameter named `$records` is a name, not evidence: most hold a few.
        if (e && e.at.kind !== 'parameter') return e;
      }
      return null;
    }

    /** Calls of `fn` in this file: a function by name, a method by name, a closure through the variable it is assigned to. */
    function callersOf(fn: FunctionLike): Call[] {
      if (fn.kind === 'function') return facts.functionCalls.get(fn.name.name.toLowerCase()) ?? [];
      if (fn.kind === 'method') return facts.methodCalls.get(fn.name.name.toLowerCase()) ?? [];
      const holder = fn.parent;
      const v = holder?.kind === 'assign' && holder.right === fn ? varName(holder.left) : null;
      if (v === null) return [];
      return facts.scopeOf(fn).calls.filter((c) => varName(c.what) === v);
    }

    function check(fn: FunctionLike): void {
      const scope = facts.scopeFor(fn);
      if (!scope) return;
      const doc = context.options.checkDocblocks ? docblockOf(fn) : null;
      // PHP builds the arguments array of `__call`/`__callStatic` for the call: nobody shares it.
      const magic = fn.kind === 'method' && (scope.name === '__call' || scope.name === '__callstatic');
      for (const param of fn.arguments) {
        if (param.byref || param.variadic || !param.name) continue;
        if (magic && param === fn.arguments[1]) continue;
        const name = param.name.name;
        if (!isArrayParam(param, name, doc)) continue;
        const write = firstWrite(scope, name);
        if (!write) continue;
        const evidence = dataEvidence(fn, scope, param, name);
        if (!evidence) continue;
        context.report({
          at: write.at,
          messageId: 'write',
          data: { name, what: write.what, why: evidence.what },
          related: [{ at: param, message: `\`$${name}\` is received by value here: it shares the caller's array until the first write` }],
          fix: (fixer) => {
            if (!byRefAllowed(fn, param, scope.cls)) return null;
            // A caller in this file that passes a literal or an expression would fail with
            // "could not be passed by reference": then the fix breaks the file, not offered.
            if (!callersPassVariables(fn, fn.arguments.indexOf(param), name)) return null;
            // Unsafe anyway: the caller's array now changes, and callers elsewhere may pass values.
            return fixer.fix(`Take $${name} by reference (unsafe: the caller's array then changes with every write, and a caller in another file that passes a literal or an expression fails)`,
              [fixer.insertBefore(param.name!, '&')], 'unsafe');
          },
        });
      }
    }

    /** Does every call of `fn` in this file pass something that can be taken by reference at `index`? */
    function callersPassVariables(fn: FunctionLike, index: number, name: string): boolean {
      const callee = fn.kind === 'function' || fn.kind === 'method' ? fn.name.name.toLowerCase() : null;
      if (!callee) return false;
      const calls = (fn.kind === 'function' ? facts.functionCalls : facts.methodCalls).get(callee) ?? [];
      return calls.every((c) => {
        if (c.arguments.some((a) => a.kind === 'variadic')) return false;
        const arg = argumentAt(c, index, name);
        if (arg === null) return index >= c.arguments.length;
        return ['variable', 'offsetlookup', 'propertylookup', 'staticlookup'].includes(arg.kind);
      });
    }

    /** Text for the message: what kind of write. */
    function describe(a: Access): string {
      switch (a.role) {
        case 'append': return `\`${file.textOf(a.outer)} = …\``;
        case 'keyed':
          if (a.via && a.via.kind === 'assign') return `\`${file.textOf(a.outer)} ${a.via.operator} …\``;
          return a.via ? `\`${file.textOf(a.via)}\`` : `\`${file.textOf(a.outer)}\``;
        case 'keyed-coalesce': return `\`${file.textOf(a.outer)} ??= …\` (when the key is missing)`;
        case 'unset-element': return `\`unset(${file.textOf(a.outer)})\``;
        case 'byref-call': return `\`${a.callee}()\` (it takes the array by reference)`;
        case 'foreach-ref': return '`foreach` by reference';
        case 'compound': return `\`${file.textOf(a.outer)} += …\``;
        case 'assign-ref': return `the reference \`&${file.textOf(a.outer)}\``;
        default: return `\`${file.textOf(a.outer)}\``;
      }
    }

    /** The first access that writes into the caller's array, unless a whole reassignment comes first. */
    function firstWrite(scope: Scope, name: string): { at: PhpNode; what: string } | null {
      for (const a of scope.accesses) {
        if (a.storage !== 'var' || a.name !== name) continue;
        const effect = effectOf(a);
        if (effect === 'replaces') return null;
        if (effect === 'copies') return { at: siteOf(a), what: describe(a) };
        if (a.role === 'keyed-read' && writesThroughElement(a.outer)) {
          return { at: a.outer.parent!, what: `a property write through \`${file.textOf(a.outer)}\`` };
        }
      }
      return null;
    }

    // Decided at the end of the file: a caller later in the file may show the array is big.
    const fns: FunctionLike[] = [];
    const collect = (fn: FunctionLike): void => { fns.push(fn); };
    return {
      'function:exit': collect,
      'method:exit': collect,
      'closure:exit': collect,
      'arrowfunc:exit': collect,
      'program:exit'() { for (const fn of fns) check(fn); },
    };
  },
});

/** Does the function give the parameter back (`return $p;`), so the caller takes the new array? */
function returnsParam(scope: Scope, name: string): boolean {
  return scope.returns.some((r) => r.expr !== null && r.expr.kind === 'variable' && r.expr.name === name)
    || (scope.node.kind === 'arrowfunc' && nodeMentions(scope.node.body, name));
}

function nodeMentions(n: PhpNode, name: string): boolean {
  if (n.kind === 'variable' && n.name === name) return true;
  if (n.kind === 'retif') return [n.trueExpr, n.falseExpr].some((e) => e !== null && nodeMentions(e, name));
  return false;
}

/** `range(1, 1000000)`, `array_fill(0, 100000, …)`, or a variable assigned one: an array built big on purpose (the talk). */
function builtBig(arg: PhpNode, scope: Scope): DataEvidence | null {
  const big = (n: PhpNode): boolean => n.kind === 'call' && (functionName(n) === 'range' || functionName(n) === 'array_fill');
  if (big(arg)) return { what: `an array built by \`${functionName(arg as Call)}()\``, at: arg };
  const v = varName(arg);
  if (v === null) return null;
  for (const a of scope.accesses) {
    if (a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && big(a.via.right)) {
      return { what: `an array built by \`${functionName(a.via.right as Call)}()\``, at: a.via.right };
    }
  }
  return null;
}

type Effect = 'copies' | 'replaces' | 'none';

function effectOf(a: Access): Effect {
  switch (a.role) {
    case 'assign': case 'unset': return a.depth === 0 ? 'replaces' : 'copies';
    case 'keyed': case 'append': case 'keyed-coalesce': case 'unset-element': case 'foreach-ref': return 'copies';
    case 'compound': {
      // `$p += [...]` merges in place after separating (measured +57 MB on 1 M ints); `??=` writes only null.
      const op = a.via && a.via.kind === 'assign' ? a.via.operator : '';
      return a.depth === 0 && op === '+=' ? 'copies' : 'none';
    }
    case 'byref-call':
      if (a.callee && OVERWRITING.has(a.callee)) return 'replaces';
      if (a.callee && NOT_COPYING.has(a.callee)) return 'none';
      return 'copies';
    case 'assign-ref':
      // `$p = &$x` rebinds the parameter; `$r = &$p['k']` separates the array; `$r = &$p` does not.
      if (a.via && a.via.kind === 'assignref' && a.via.left === a.outer) return a.depth === 0 ? 'replaces' : 'copies';
      return a.depth > 0 ? 'copies' : 'none';
    default: return 'none';
  }
}

function siteOf(a: Access): PhpNode {
  switch (a.role) {
    case 'unset-element': case 'foreach-ref': return a.outer;
    default: return a.via ?? a.outer;
  }
}

/** `$p[0]->x = …`: fetching the element for writing separates the array (measured: a full copy). */
function writesThroughElement(outer: PhpNode): boolean {
  let n: PhpNode = outer;
  let sawProperty = false;
  while (n.parent && (n.parent.kind === 'propertylookup' || n.parent.kind === 'offsetlookup') && n.parent.what === n) {
    if (n.parent.kind === 'propertylookup') sawProperty = true;
    n = n.parent;
  }
  if (!sawProperty) return false;
  const p = n.parent;
  if (!p) return false;
  if ((p.kind === 'assign' || p.kind === 'assignref') && p.left === n) return true;
  return (p.kind === 'pre' || p.kind === 'post') && p.what === n;
}

const DOC_ARRAY = /^\??(?:array|list|non-empty-array|non-empty-list)(?:[<{]|$)|\[\]$/i;

/** Declared `array` (also `?array`, `array|null`), or documented as an array when untyped. */
function isArrayParam(param: Parameter, name: string, doc: string | null): boolean {
  if (param.type) return typeNames(param.type).includes('array');
  if (!doc) return false;
  const type = docParamType(doc, name);
  if (!type) return false;
  const nonNull = splitUnion(type).filter((t) => t.toLowerCase() !== 'null');
  return nonNull.length > 0 && nonNull.every((t) => DOC_ARRAY.test(t));
}

/** The type of `@param <type> $name` (also `@phpstan-param`/`@psalm-param`); types may hold spaces inside `<…>`/`{…}`. */
function docParamType(doc: string, name: string): string | null {
  const tag = /@(?:phpstan-|psalm-)?param\s+/g;
  for (let m = tag.exec(doc); m; m = tag.exec(doc)) {
    let i = tag.lastIndex;
    let depth = 0;
    let type = '';
    for (; i < doc.length; i++) {
      const ch = doc[i]!;
      if (ch === '<' || ch === '{' || ch === '(') depth++;
      else if (ch === '>' || ch === '}' || ch === ')') depth--;
      else if (/\s/.test(ch) && depth <= 0) break;
      type += ch;
    }
    const rest = /^\s+(?:\.\.\.)?\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)/.exec(doc.slice(i));
    if (rest && rest[1] === name) return type;
  }
  return null;
}

/** Split `array<int, string>|null` at top-level `|`. */
function splitUnion(t: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of t) {
    if (ch === '<' || ch === '{' || ch === '(') depth++;
    else if (ch === '>' || ch === '}' || ch === ')') depth--;
    if (ch === '|' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Adding `&` is offered where it cannot break a signature PHP checks against another one:
 * plain functions, and methods that are private or in a class with no parent or interface.
 * Not for closures (mostly callbacks, called with values) or promoted constructor parameters.
 */
function byRefAllowed(fn: FunctionLike, param: Parameter, cls: ClassFacts | null): boolean {
  if (param.flags) return false;
  if (fn.kind === 'function') return true;
  if (fn.kind !== 'method' || !cls) return false;
  if (fn.visibility === 'private') return true;
  const c = cls.node;
  if (c.kind !== 'class') return false;
  return !c.extends && (!c.implements || c.implements.length === 0);
}
