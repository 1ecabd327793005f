import { isFunctionLike, type Eval, type Include, type PhpNode } from '../engine/nodes.js';
import { repeatedRequires } from './eval-in-loop-require.js';
import { closestAncestor, functionName } from '../engine/facts/index.js';
import type { Facts } from '../engine/facts/index.js';
import { repetitionOf, repetitionSite, type Repetition } from '../engine/facts/repetition.js';
import { defineRule } from '../engine/rule.js';

// eval() that runs over and over: in a loop, in a callback a builtin calls per element, or in a
// function this file calls in a loop. Measured on PHP 8.2.36, opcache off and on alike:
// evaluated code that contains a closure, function or class leaves its compiled op_array behind
// on every run (+246 B per `eval('return function () {};')`, +470 B per named function, +660 to
// +790 B per class; php-src#8078) — even a closure that is never created. An expression
// (`eval('return ' . $e . ';')`, `eval('$r = ' . $e . ';')`) is freed after each run: +0 B, a CPU
// cost only, so it is info, not a warning.

type MessageId = 'definesCode' | 'recompiles' | 'expression' | 'requiresCode';

/** A closure, arrow function, named function or class-like declared in PHP source text. */
const DEFINES_RE = /\bfunction\s*&?\s*[\w(]|\bfn\s*&?\s*\(|(?<!::\s*)\b(?:class|interface|trait|enum)\s+[A-Za-z_]|\bnew\s+class\b/i;

export default defineRule({
  meta: {
    id: 'eval-in-loop',
    severity: 'warning',
    // Kept from one request or job to the next: a one-shot script gives it back when it exits.
    silentInOneShot: true,
    fixable: 'never',
    description: 'eval(), or require of the same file returning code, executed repeatedly: every compiled closure, function or class stays in memory.',
    messages: {
      definesCode: 'eval() defining a {{what}} runs {{per}}: every run\'s compiled code stays in memory',
      recompiles: 'eval() runs {{per}}: its code is compiled again on every run',
      expression: 'eval() of an expression runs {{per}}: compiled on every run, but nothing is kept',
      requiresCode: '`{{what}}` of a file returning code runs {{per}}: it leaks without opcache',
    },
    details: {
      definesCode: 'eval() runs {{where}}, and its code defines a {{what}}: PHP keeps the compiled code of every run for the rest of the process (php-src#8078; measured +240 B per eval of `return function () {};`, +780 B per class), so memory grows with every iteration.',
      requiresCode: "`{{what}}` runs {{where}}, always on the same file, and what the file returns is used as code (called or used as an object): the file returns a closure or an object, likely of an anonymous class. Without opcache, which is off by default in the CLI where workers run (`opcache.enable_cli=0`), every run compiles the file again and keeps something of each compile: measured on PHP 8.2, +2,000 B and one more class per run of a file returning an anonymous class, +256 B per run of a file returning a closure. With opcache on, the compiled file is shared and nothing grows.",
      recompiles: 'eval() runs {{where}}, so its code is compiled again on every run (100,000 evals of `return $i * 2;` took 140 to 270 ms on PHP 8.2, against 0.5 ms inline), and if the code contains a closure, function or class, each compiled copy stays in memory for the rest of the process (php-src#8078; +246 B per closure, +470 B per function, +660 B or more per class).',
      expression: 'eval() runs {{where}}, and its code is an expression or an assignment that visibly defines no closure, function or class: each run is compiled and freed (measured on PHP 8.2, with opcache on or off: +0 B per run), so memory does not grow. What it costs is time: 100,000 evals of `return $i * 2;` took 140 to 270 ms against 0.5 ms for the same expression inline.',
    },
    tips: {
      definesCode: 'Evaluate the code once, outside the loop, and reuse the closure or class it defines (cache it by its source), or write it as ordinary PHP.',
      recompiles: 'Move the eval() out of the loop (evaluate once, keep the result), or replace it with ordinary PHP.',
      expression: 'When it is hot, replace the eval() with ordinary PHP (a lookup, a closure built once, a small expression parser); otherwise nothing needs to change.',
      requiresCode: 'Require the file once and keep what it returns (`static $handler; $handler ??= require …;`, or a property set once), and clone the object if each caller needs its own.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    // Tests evaluate snippets on purpose; production memory is what this rule is about.
    if (ctx.isTestFile) return {};
    const evals: Eval[] = [];
    const includes: Include[] = [];
    return {
      eval(node) { evals.push(node); },
      include(node) { includes.push(node); },
      'program:exit'() {
        for (const { node, rep } of repeatedRequires(includes, ctx.facts, (n) => evaluatedOncePerKey(n, ctx.file.textOf.bind(ctx.file)))) {
          const what = `${node.require ? 'require' : 'include'}`;
          ctx.report({
            at: node,
            messageId: 'requiresCode',
            data: { what, where: describe(rep, node, (n) => ctx.file.rangeOf(n).start.line), per: describe(rep, node, null) },
            related: [{ at: repetitionSite(rep), message: relatedMessage(rep).replace('eval()', what) }],
          });
        }
        for (const node of evals) {
          if (evaluatedOncePerKey(node, ctx.file.textOf.bind(ctx.file))) continue;
          if (rendersDataOnly(node.source)) continue;
          const rep = repetitionOf(node, ctx.facts);
          if (!rep) continue;
          const code = literalText(node.source, ctx.facts, 4).join('\n');
          const what = definedKind(code);
          const messageId: MessageId = what ? 'definesCode' : isExpressionCode(node.source) ? 'expression' : 'recompiles';
          ctx.report({
            at: node,
            messageId,
            ...(messageId === 'expression' ? { severity: 'info' as const } : {}),
            data: { where: describe(rep, node, (n) => ctx.file.rangeOf(n).start.line), per: describe(rep, node, null), what: what ?? '' },
            related: [{ at: repetitionSite(rep), message: relatedMessage(rep) }],
          });
        }
      },
    };
  },
});

/** Where the eval() repeats; `line` null: without line numbers (the message, engine/identity.ts). */
function describe(rep: Repetition, node: Eval | Include, line: ((n: PhpNode) => number) | null): string {
  switch (rep.kind) {
    case 'loop': return 'in a loop';
    case 'callback': return `in a callback that ${functionName(rep.call)}() calls once per element`;
    case 'caller': {
      const fn = closestAncestor(node, isFunctionLike, true);
      const name = fn && (fn.kind === 'function' || fn.kind === 'method') ? `${fn.name.name}()` : 'this function';
      const inner = rep.repetition;
      const how = inner.kind === 'loop' ? 'in a loop' : inner.kind === 'callback' ? 'once per element' : 'from code that itself runs repeatedly';
      return line ? `in ${name}, which line ${line(rep.via)} calls ${how}` : `in ${name}, called ${inner.kind === 'caller' ? 'repeatedly' : how}`;
    }
  }
}

function relatedMessage(rep: Repetition): string {
  switch (rep.kind) {
    case 'loop': return 'the loop that repeats the eval()';
    case 'callback': return 'calls the callback once per element';
    case 'caller': return 'the call that runs the eval() repeatedly';
  }
}

/** Checks that make an eval() run once per class, function or cache key, not once per iteration. */
const GUARD_RE = /\b(?:isset|array_key_exists|class_exists|interface_exists|trait_exists|enum_exists|function_exists|defined)\s*\(/i;

/**
 * `$cache[$k] ??= eval(…)`; an eval() under `if (!class_exists(…))` / `if (!isset($cache[…]))`;
 * or after a guard that leaves early (`if (function_exists(…)) { continue; }`, Symfony's mocks).
 */
function evaluatedOncePerKey(node: Eval | Include, textOf: (n: PhpNode) => string): boolean {
  let child: PhpNode = node;
  for (let n: PhpNode | undefined = node.parent; n && !isFunctionLike(n); child = n, n = n.parent) {
    if (n.kind === 'assign' && n.operator === '??=') return true;
    if ((n.kind === 'if' || n.kind === 'retif') && GUARD_RE.test(textOf(n.test))) return true;
    if (n.kind === 'block' || n.kind === 'program' || n.kind === 'namespace') {
      const before = n.children.slice(0, n.children.indexOf(child));
      if (before.some((s) => s.kind === 'if' && GUARD_RE.test(textOf(s.test)) && leavesEarly(s.body))) return true;
    }
  }
  return false;
}

/** A guard body that skips the rest: `continue`, `break`, `return` or `throw` (alone or last). */
function leavesEarly(body: PhpNode | null): boolean {
  if (!body) return false;
  const last = body.kind === 'block' ? body.children[body.children.length - 1] : body;
  return !!last && (last.kind === 'continue' || last.kind === 'break' || last.kind === 'return' || last.kind === 'throw');
}

/** Calls whose result, as PHP code, is a value: it can declare no closure, function or class. */
const VALUE_RENDERERS = new Set(['var_export', 'json_encode', 'intval', 'floatval', 'strval', 'number_format']);

/**
 * Code made only of literal text that declares nothing and of values rendered as PHP
 * (`eval(var_export($value, true) . ';')`, a check that a config value is serializable): each
 * run is compiled and freed; nothing it compiles can stay in memory.
 */
function rendersDataOnly(node: PhpNode): boolean {
  switch (node.kind) {
    case 'string': case 'nowdoc': return !DEFINES_RE.test(node.value);
    case 'number': return true;
    case 'bin': return node.type === '.' && rendersDataOnly(node.left) && rendersDataOnly(node.right);
    case 'call': { const fn = functionName(node); return fn !== null && VALUE_RENDERERS.has(fn); }
    default: return false;
  }
}

/**
 * Code that is visibly one expression or assignment: its text starts with `return ` or with an
 * assignment to a variable or an element (`$r = `, `$a['` …). What the unknown parts bring is
 * taken as a value (an expression the caller wrote, a rendered string), not a declaration.
 */
function isExpressionCode(source: PhpNode): boolean {
  const head = leadingLiteral(source);
  return head !== null && /^\s*(?:return\b|\$[A-Za-z_]\w*\s*(?:\[|=(?!=)))/.test(head);
}

/** The literal text the evaluated code starts with (`'return '` of `'return ' . $e . ';'`), or null. */
function leadingLiteral(node: PhpNode): string | null {
  switch (node.kind) {
    case 'string': case 'nowdoc': return node.value;
    case 'bin': return node.type === '.' ? leadingLiteral(node.left) : null;
    case 'encapsed': {
      const first = node.value[0];
      const part = first?.kind === 'encapsedpart' ? first.expression : first;
      return part && part.kind === 'string' ? part.value : null;
    }
    default: return null;
  }
}

/** What kind of declaration the evaluated code contains, if its text shows one. */
function definedKind(code: string): string | null {
  const m = DEFINES_RE.exec(code);
  if (!m) return null;
  const word = m[0].toLowerCase();
  if (word.startsWith('fn') || /^function\s*&?\s*\(/.test(word)) return 'closure';
  if (word.startsWith('function')) return 'function';
  if (word.startsWith('new')) return 'class';
  return /^(class|interface|trait|enum)/.exec(word)![1]!;
}

/**
 * The literal pieces of the evaluated code that the file shows: strings, the literal parts of
 * interpolated strings and concatenations, arguments of formatting calls, and what a local
 * variable was assigned. Unknown parts contribute nothing.
 */
function literalText(node: PhpNode | null | undefined, facts: Facts, depth: number): string[] {
  if (!node || depth < 0) return [];
  switch (node.kind) {
    case 'string': case 'nowdoc': return [node.value];
    case 'encapsed': return node.value.flatMap((p) => literalText(p.kind === 'encapsedpart' ? p.expression : p, facts, depth));
    case 'bin': return node.type === '.' ? [...literalText(node.left, facts, depth), ...literalText(node.right, facts, depth)] : [];
    case 'call': return node.arguments.flatMap((a) => literalText(a, facts, depth - 1));
    case 'retif': return [...literalText(node.trueExpr, facts, depth - 1), ...literalText(node.falseExpr, facts, depth - 1)];
    case 'variable': {
      if (typeof node.name !== 'string') return [];
      const scope = facts.scopeOf(node);
      const out: string[] = [];
      for (const a of scope.accesses) {
        if (a.storage !== 'var' || a.name !== node.name || a.via?.kind !== 'assign' || a.via.left !== a.node) continue;
        out.push(...literalText(a.via.right, facts, depth - 1));
      }
      return out;
    }
    default: return [];
  }
}
