import type { Call, ClassDecl, Method, PhpNode, Property } from '../engine/nodes.js';
import { GROW_ROLES, accessesByProperty, callReceiver, functionName, isWithin, methodName, thisPropertyName, typeNames, varName, type Access, type ClassFacts } from '../engine/facts/index.js';
import { importsAt, resolveClassName, resolvedName } from '../engine/facts/imports.js';
import {
  RESET_INTERFACES, flushListed, implementedInterfaces, classFqn, methodsRunPerJob, sharedServiceOf, type SharedService,
} from '../engine/facts/services.js';
import type { Fixer } from '../engine/fixes.js';
import type { Fix } from '../engine/types.js';
import { defineRule } from '../engine/rule.js';
import { growingReset } from './service-state-without-reset-resets.js';
import { keyChain } from '../engine/facts/array-growth.js';
import { keyProvenance } from '../engine/facts/key-provenance.js';
import type { Facts } from '../engine/facts/index.js';

// A shared service (one instance for the life of a worker) that writes per-job data into its
// own properties. Symfony clears such state only through ResetInterface::reset() (the
// services_resetter, between Messenger messages and between requests of a kernel that is
// reused); Laravel only for scoped() bindings and the classes listed in octane.php 'flush'.

/** In-memory containers whose methods grow them, with the methods that shrink or empty them. */
const CONTAINERS: Record<string, { grow: RegExp; shrink: RegExp }> = {
  splobjectstorage: { grow: /^(attach|offsetset|addall)$/, shrink: /^(detach|offsetunset|removeall|removeallexcept)$/ },
  arrayobject: { grow: /^(append|offsetset)$/, shrink: /^(offsetunset|exchangearray)$/ },
  arrayiterator: { grow: /^(append|offsetset)$/, shrink: /^(offsetunset)$/ },
  spldoublylinkedlist: { grow: /^(push|unshift|add|offsetset)$/, shrink: /^(pop|shift|offsetunset)$/ },
  splqueue: { grow: /^(push|unshift|enqueue|add|offsetset)$/, shrink: /^(pop|shift|dequeue|offsetunset)$/ },
  splstack: { grow: /^(push|unshift|add|offsetset)$/, shrink: /^(pop|shift|offsetunset)$/ },
  splpriorityqueue: { grow: /^insert$/, shrink: /^extract$/ },
  splminheap: { grow: /^insert$/, shrink: /^extract$/ },
  splmaxheap: { grow: /^insert$/, shrink: /^extract$/ },
  'doctrine\\common\\collections\\arraycollection': { grow: /^(add|set|offsetset)$/, shrink: /^(remove|removeelement|clear|offsetunset)$/ },
  'illuminate\\support\\collection': { grow: /^(push|put|add|prepend|offsetset)$/, shrink: /^(pop|shift|pull|forget|splice|offsetunset)$/ },
};
const RESET_FQN = 'Symfony\\Contracts\\Service\\ResetInterface';

type Effect = 'grows' | 'keeps';
interface Write { prop: string; effect: Effect; at: PhpNode; method: string }

export default defineRule({
  meta: {
    id: 'service-state-without-reset',
    severity: 'info',
    longRunningSeverity: 'warning',
    // Kept from one request or job to the next: a one-shot script gives it back when it exits.
    silentInOneShot: true,
    fixable: 'sometimes',
    description: 'A shared service (message handler, listener, singleton) that mutates its own state per job/request and has no reset hook.',
    messages: {
      symfony: '{{method}}() {{what}} {{state}} on every {{unit}}, and nothing resets it between {{unit}}s',
      laravel: '{{method}}() {{what}} {{state}} on every {{unit}}, and the singleton keeps it across {{unit}}s',
      resetMisses: '`reset()` does not clear {{state}}, which {{method}}() {{what}} on every {{unit}}',
      resetGrows: '`reset()` adds to {{state}} instead of emptying it',
    },
    details: {
      symfony: '{{cls}} is {{service}}: one instance handles every {{unit}} of a long-running worker, and {{method}}() {{what}} {{state}}, which nothing resets. {{effect}} Symfony clears a service between messages and requests only through `ResetInterface::reset()`.',
      laravel: '{{cls}} is {{service}}: Laravel keeps one instance for the life of an Octane or queue worker, and {{method}}() {{what}} {{state}}, which nothing resets. {{effect}} Only `scoped()` bindings and classes in octane.php\'s `flush` list are renewed per request and job.',
      resetMisses: '{{cls}} implements `ResetInterface`, but its `reset()` does not clear {{state}}, which {{method}}() {{what}} for every {{unit}}. {{effect}}',
      resetGrows: '{{cls}} implements the reset contract, so the services resetter calls its `reset()` between requests and messages; but `reset()` appends to {{state}} (through {{method}}()) instead of emptying it, so every reset makes it bigger{{others}}.',
    },
    tips: {
      symfony: 'Implement `Symfony\\Contracts\\Service\\ResetInterface` and re-initialise {{state}} in `reset()` (autoconfigured services get the `kernel.reset` tag), or keep per-{{unit}} data in local variables.',
      laravel: 'Bind it with `$this->app->scoped(…)` instead of `singleton(…)` (renewed for every request and job), or keep per-request data in local variables.',
      resetMisses: 'Re-initialise {{state}} in `reset()`.',
      resetGrows: 'Empty {{state}} in `reset()` (`{{state}} = [];` or the class\'s own clear method) instead of recording into it.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    if (ctx.isTestFile) return {};
    const flushed = new Set<string>();
    return {
      // On exit: the class names inside are resolved through parent links set by then.
      'entry:exit'(node) {
        for (const c of flushListed(node)) flushed.add(c);
      },
      'program:exit'() {
        for (const cls of ctx.facts.classes) {
          // `…\Development\…`: checkers and profilers wired only in development configuration.
          if (/(^|\\)Development(\\|$)/.test(importsAt(cls.node).namespace ?? '')) continue;
          const grows = growingReset(cls);
          if (grows) {
            const state = `\`$this->${grows.prop}\``;
            ctx.report({ at: grows.at, messageId: 'resetGrows', data: { cls: cls.name ?? 'This class', state, method: grows.method, others: grows.emptiedBy ? `, and ${grows.emptiedBy}(), which empties it, is not called by \`reset()\`` : ', and nothing in the class empties it' } });
            continue;
          }
          const service = sharedServiceOf(cls, ctx.facts);
          if (!service || service.entries.size === 0) continue;
          if (flushed.has(classFqn(cls)?.toLowerCase() ?? '')) continue;
          check(cls, service);
        }
      },
    };

    function check(cls: ClassFacts, service: SharedService): void {
      const perJob = methodsRunPerJob(cls, service.entries);
      const node = cls.node as ClassDecl;
      const writes: Write[] = [];
      const byProp = accessesByProperty(cls.accesses);
      const objectCalls = propertyCalls(cls);
      for (const [prop, accesses] of byProp) {
        // Inherited state: the parent class (not visible here) may reset it.
        if (!cls.properties.has(prop) && !promoted(cls, prop) && node.extends) continue;
        const w = firstJobWrite(prop, accesses, objectCalls.get(prop) ?? [], cls, perJob, ctx.facts);
        if (w && !isReset(prop, accesses, objectCalls.get(prop) ?? [], cls, w)) writes.push(w);
      }
      if (writes.length === 0) return;
      writes.sort((a, b) => offset(a.at) - offset(b.at));
      const first = writes[0]!;
      const implementsReset = [...implementedInterfaces(cls)].some((i) => RESET_INTERFACES.has(i));
      const resetMethod = cls.methods.get('reset');
      const state = writes.map((w) => `\`$this->${w.prop}\``).join(', ').replace(/, ([^,]*)$/, ' and $1');
      const grows = writes.some((w) => w.effect === 'grows');
      const keeps = writes.some((w) => w.effect === 'keeps');
      const unit = service.unit;
      const effect = grows && keeps
        ? `It grows with every ${unit} until the worker is restarted, and the previous ${unit}'s data stays alive and visible to the next.`
        : grows ? `It grows with every ${unit} until the worker is restarted (and one ${unit}'s data is visible to the next).`
          : `The previous ${unit}'s data stays alive and visible to the next ${unit}.`;
      const what = grows && keeps ? 'writes' : grows ? 'adds to' : 'stores per-' + unit + ' data in';
      const messageId = implementsReset && resetMethod ? 'resetMisses' : service.hook === 'laravel-scoped' ? 'laravel' : 'symfony';
      ctx.report({
        at: first.at,
        messageId,
        data: { cls: cls.name ?? 'This class', service: service.label, unit, method: first.method, what, state, effect },
        related: [
          { at: service.evidence, message: `shared service: ${service.label}` },
          ...writes.slice(1).map((w) => ({ at: w.at, message: `also written per ${unit}: \`$this->${w.prop}\`` })),
        ],
        fix: (f) => service.hook === 'laravel-scoped' ? scopedFix(f, service) : resetFix(f, cls, writes, implementsReset, resetMethod ?? null),
      });
    }
  },
});

function offset(n: PhpNode): number { return n.loc?.start.offset ?? 0; }

function promoted(cls: ClassFacts, prop: string): boolean {
  const ctor = cls.methods.get('__construct');
  return !!ctor?.arguments.some((p) => p.flags !== 0 && p.name?.name === prop);
}

/** `$this->prop->method(…)` calls in the class, by property. */
function propertyCalls(cls: ClassFacts): Map<string, Call[]> {
  const out = new Map<string, Call[]>();
  for (const s of cls.scopes) for (const c of allCalls(s)) {
    const r = callReceiver(c);
    const p = r && c.what.kind !== 'staticlookup' ? thisPropertyName(r) : null;
    if (!p) continue;
    const list = out.get(p);
    if (list) list.push(c); else out.set(p, [c]);
  }
  return out;
}

function allCalls(s: ClassFacts['scopes'][number]): Call[] {
  const out = [...s.calls];
  const stack = [...s.children];
  while (stack.length > 0) { const c = stack.pop()!; out.push(...c.calls); stack.push(...c.children); }
  return out;
}

function methodOf(node: PhpNode): Method | null {
  for (let p = node.parent; p; p = p.parent) if (p.kind === 'method') return p;
  return null;
}

/** The container class a property holds (declared type, or `new X` assigned in the class), lower-cased. */
function containerOf(prop: string, cls: ClassFacts, accesses: Access[]): string | null {
  const decl = cls.properties.get(prop)?.node as Property | undefined;
  const candidates: string[] = [];
  if (decl) for (const t of typeNames(decl.type)) candidates.push(resolveClassName(t, decl));
  if (decl?.value?.kind === 'new') candidates.push(resolvedName(decl.value.what) ?? '');
  for (const a of accesses) {
    if (a.role === 'assign' && a.via?.kind === 'assign' && a.via.right.kind === 'new') candidates.push(resolvedName(a.via.right.what) ?? '');
  }
  for (const c of candidates) if (c.toLowerCase() in CONTAINERS) return c.toLowerCase();
  return null;
}

/** The first write in a per-job method that grows the state or stores the job's data in it. */
function firstJobWrite(prop: string, accesses: Access[], calls: Call[], cls: ClassFacts, perJob: Map<string, Method>, facts: Facts): Write | null {
  const inJob = (n: PhpNode): Method | null => {
    const m = methodOf(n);
    return m && [...perJob.values()].includes(m) ? m : null;
  };
  const found: Write[] = [];
  for (const a of accesses) {
    const m = inJob(a.node);
    if (!m || runsPerClass(m)) continue;
    const name = methodDisplayName(m);
    if (a.role === 'keyed-coalesce' && memoizesServiceLookup(a)) continue;
    if (isMemoWithoutData(a, accesses, facts)) continue;
    if (GROW_ROLES.has(a.role) || (a.role === 'byref-call' && (a.callee === 'array_push' || a.callee === 'array_unshift'))) {
      found.push({ prop, effect: 'grows', at: a.via ?? a.outer, method: name });
    } else if (a.role === 'assign' && a.via?.kind === 'assign') {
      if (readsProp(a.via.right, prop)) found.push({ prop, effect: 'grows', at: a.via, method: name });
      else if (storesJobData(a.via.right, m)) found.push({ prop, effect: 'keeps', at: a.via, method: name });
    }
  }
  const container = containerOf(prop, cls, accesses);
  if (container) {
    for (const c of calls) {
      const m = inJob(c);
      if (m && CONTAINERS[container]!.grow.test(methodName(c) ?? '')) found.push({ prop, effect: 'grows', at: c, method: methodDisplayName(m) });
    }
  }
  found.sort((x, y) => offset(x.at) - offset(y.at));
  return found[0] ?? null;
}

/**
 * Doctrine's `loadClassMetadata` fires once per entity class (the metadata is cached after): what
 * its listener collects is bounded by the entity classes of the code, not by the jobs.
 */
function runsPerClass(m: Method): boolean {
  if (/^loadclassmetadata$/i.test(methodDisplayName(m))) return true;
  return m.arguments.some((p) => typeNames(p.type).some((t) => /(^|\\)LoadClassMetadataEventArgs$/.test(t)));
}

/**
 * A memo (`if (!isset($this->owners[$id])) $this->owners[$id] = …`) whose keys have no evidence
 * of run-time data (engine/facts/data-evidence.ts): a private helper's `$ownerId`, an id read from
 * the configuration of a campaign step. Such keys come from small sets (the users, the configured
 * items), as unbounded-cache judges them; a memo keyed by a row id or request input still reports.
 */
function isMemoWithoutData(a: Access, accesses: Access[], facts: Facts): boolean {
  if (a.depth === 0 || !(a.role === 'keyed' || a.role === 'keyed-coalesce')) return false;
  const m = methodOf(a.node);
  const looksUp = a.role === 'keyed-coalesce' || accesses.some((c) => methodOf(c.node) === m && (c.role === 'lookup' || c.role === 'keyed-coalesce'));
  if (!looksUp) return false;
  const keys = keyChain(a);
  if (keys.length === 0 || keys.includes(false)) return false;
  return keys.every((k) => k !== false && !keyProvenance(k, facts).strong);
}

function methodDisplayName(m: Method): string {
  return typeof m.name === 'string' ? m.name : m.name.name;
}

/** Is anything in the class emptying, shrinking or replacing the state (outside the constructor)? */
function isReset(prop: string, accesses: Access[], calls: Call[], cls: ClassFacts, w: Write): boolean {
  const ctor = cls.methods.get('__construct');
  for (const a of accesses) {
    if (ctor && isWithin(a.node, ctor)) continue;
    if (a.role === 'unset' || a.role === 'unset-element') return true;
    if (shrinks(a)) return true;
    if (a.role === 'assign' && a.via?.kind === 'assign' && a.via !== w.at && !readsProp(a.via.right, prop) && !storesJobData(a.via.right, methodOf(a.node))) return true;
  }
  const container = containerOf(prop, cls, accesses);
  for (const c of calls) {
    if (ctor && isWithin(c, ctor)) continue;
    const m = methodName(c) ?? '';
    if (m === 'reset' || m === 'clear' || (container && CONTAINERS[container]!.shrink.test(m))) return true;
  }
  return false;
}

/** `array_pop($this->p)`, `array_shift($this->p[$k])`, `array_splice(…)`: removes entries, at any depth. */
function shrinks(a: Access): boolean {
  if (a.role === 'byref-call') return /^(array_shift|array_pop|array_splice)$/.test(a.callee ?? '');
  const p = a.outer.parent;
  return p?.kind === 'call' && p.arguments[0] === a.outer && /^(array_shift|array_pop|array_splice)$/.test(functionName(p) ?? '');
}

/**
 * `$this->stores[$name] ??= $this->keyValueFactory->get($name)`: memoised services from a factory,
 * registry or container — one per name the code uses, not per job.
 */
function memoizesServiceLookup(a: Access): boolean {
  const rhs = a.via?.kind === 'assign' ? a.via.right : null;
  if (!rhs || rhs.kind !== 'call') return false;
  const r = callReceiver(rhs);
  const holder = r ? thisPropertyName(r) ?? varName(r) : null;
  return holder !== null && /factory|registry|container|locator|manager|provider|pool/i.test(holder);
}

/** `$this->p = array_merge($this->p, …)`, `$this->p = [...$this->p, $x]`, `$this->p = $this->p + …`. */
function readsProp(expr: PhpNode, prop: string): boolean {
  return someValue(expr, (n) => thisPropertyName(n) === prop);
}

/** The right side is a parameter of the job method (the message, event or request), or built from one. */
function storesJobData(expr: PhpNode, m: Method | null): boolean {
  if (!m) return false;
  const params = new Map(m.arguments.map((p) => [p.name?.name ?? '', p]));
  return someValue(expr, (n) => {
    const v = varName(n);
    if (v === null || !params.has(v)) return false;
    // Scalars copied into a property are stale, not retained objects: not this rule's concern.
    const types = typeNames(params.get(v)!.type).map((t) => t.toLowerCase());
    return types.length > 0 && !types.every((t) => /^(int|float|string|bool|true|false|null)$/.test(t));
  }, true);
}

/** Search of an expression's values: the value itself, array items, and (when asked) call arguments. */
function someValue(root: PhpNode, pred: (n: PhpNode) => boolean, direct = false): boolean {
  const stack: PhpNode[] = [root];
  for (let i = 0; stack.length > 0 && i < 200; i++) {
    const n = stack.pop()!;
    if (pred(n)) return true;
    switch (n.kind) {
      case 'array': for (const it of n.items) if (it.kind === 'entry') stack.push(it.value); break;
      case 'variadic': stack.push(n.what); break;
      case 'cast': stack.push(n.expr); break;
      case 'retif': if (n.trueExpr) stack.push(n.trueExpr); stack.push(n.falseExpr); break;
      case 'bin': if (!direct || n.type === '??' || n.type === '?:') stack.push(n.left, n.right); break;
      case 'call': if (!direct) stack.push(...n.arguments); break;
      default: break;
    }
  }
  return false;
}

// ---- fixes ----

function scopedFix(f: Fixer, service: SharedService): Fix | null {
  const call = service.evidence;
  if (call.kind !== 'call' || (call.what.kind !== 'propertylookup' && call.what.kind !== 'staticlookup') || call.what.offset.kind !== 'identifier') return null;
  return f.fix('Bind it with scoped() (renewed per request and job) (unsafe: its state no longer survives from one job to the next)', [f.replace(call.what.offset, 'scoped')], 'unsafe');
}

/** Implement ResetInterface with a reset() that re-initialises the written properties. */
function resetFix(f: Fixer, cls: ClassFacts, writes: Write[], implementsReset: boolean, resetMethod: Method | null): Fix | null {
  const node = cls.node as ClassDecl;
  const inits: string[] = [];
  for (const w of writes) {
    const init = initialValue(w.prop, cls, f);
    if (init === null) return null;
    inits.push(`$this->${w.prop} = ${init};`);
  }
  const edits = [];
  const text = f.file.text;
  if (!implementsReset) {
    const imported = importsAt(node).classes.get('resetinterface') === RESET_FQN;
    const iface = imported ? 'ResetInterface' : `\\${RESET_FQN}`;
    const list = node.implements ?? [];
    if (list.length > 0) edits.push(f.insertAfter(list[list.length - 1]!, `, ${iface}`));
    else {
      const after = node.extends ?? node.name;
      if (!after) return null;
      edits.push(f.insertAfter(after, ` implements ${iface}`));
    }
  }
  const unit = f.indentUnit;
  const body = resetMethod?.body;
  if (resetMethod && body) {
    // Keep the existing reset(): add the missing re-initialisations at its start.
    const open = f.span(body).start;
    const inner = f.indentAt(resetMethod) + unit;
    edits.push(f.insertAt(open + 1, inits.map((l) => `${f.eol}${inner}${l}`).join('')));
  } else if (resetMethod) {
    return null;
  } else {
    const span = f.span(node);
    const close = text.lastIndexOf('}', span.end - 1);
    if (close < 0) return null;
    const memberIndent = node.body[0] ? f.indentAt(node.body[0]) : f.indentAt(node) + unit;
    const eol = f.eol;
    const lineStart = text.lastIndexOf('\n', close - 1) + 1;
    const onOwnLine = text.slice(lineStart, close).trim() === '';
    const method = [`public function reset(): void`, '{', ...inits.map((l) => unit + l), '}'].map((l) => memberIndent + l).join(eol);
    edits.push(onOwnLine ? f.insertAt(lineStart, `${eol}${method}${eol}`) : f.insertAt(close, `${eol}${method}${eol}`));
  }
  const why = ' (unsafe: the state no longer survives from one job to the next)';
  return f.fix(`${implementsReset ? 'Re-initialise the state in reset()' : 'Implement ResetInterface with a reset() that re-initialises the state'}${why}`, edits, 'unsafe');
}

/**
 * What the property holds before the first job: what the constructor puts in it (a fresh
 * `new X()` or a literal), else its default, else `[]`/`null` by type. Never `null` for a
 * property the constructor fills (an `SplObjectStorage` set to null breaks the next job), and
 * no fix when the constructor fills it from its arguments (reset() cannot rebuild that).
 */
function initialValue(prop: string, cls: ClassFacts, f: Fixer): string | null {
  const info = cls.properties.get(prop);
  const decl = info?.node;
  const ctor = cls.methods.get('__construct');
  const scope = ctor ? cls.scopes.find((s) => s.node === ctor) : undefined;
  for (const a of scope?.accesses ?? []) {
    if (a.storage !== 'prop' || a.name !== prop || a.role !== 'assign' || a.via?.kind !== 'assign') continue;
    const right = a.via.right;
    if (right.kind === 'new') {
      if (right.arguments.length > 0) return null;
      const what = resolvedName(right.what);
      return what ? `new \\${what}()` : null;
    }
    return isConstantExpression(right) ? f.file.textOf(right) : null;
  }
  if (decl?.value) return f.file.textOf(decl.value);
  if (!decl) return promoted(cls, prop) ? null : 'null';
  const types = typeNames(decl.type).map((t) => t.toLowerCase());
  if (types.length === 0 || decl.nullable || types.includes('null') || types.includes('mixed')) return 'null';
  if (types.includes('array') || types.includes('iterable')) return '[]';
  return null;
}

/** A literal, or an array of literals: the same value every time it is evaluated. */
function isConstantExpression(n: PhpNode): boolean {
  if (n.kind === 'number' || n.kind === 'string' || n.kind === 'boolean' || n.kind === 'nullkeyword') return true;
  if (n.kind === 'array') return n.items.every((i) => i.kind === 'entry' && !i.unpack && (!i.key || isConstantExpression(i.key)) && isConstantExpression(i.value));
  return false;
}
