import { dataSizedLoop } from '../engine/facts/data-size.js';
import type { Assign, PhpNode, Unset } from '../engine/nodes.js';
import { thisPropertyName, varName, type Facts, type Scope } from '../engine/facts/index.js';
import { repetitionOf, repetitionSite, type Repetition } from '../engine/facts/repetition.js';
import { scheduledCollections } from '../engine/facts/gc-schedule.js';
import { defineRule, type ReportDescriptor } from '../engine/rule.js';
import { closureCycles } from './circular-reference-closures.js';

// Two objects made to point at each other, where at least one of them is created fresh each
// time the code runs (in a loop, per element, or in a function this file calls in a loop).
// Reference counting can never free such a pair; the cycle collector does, late. Cycles between
// objects that merely exist (a Doctrine setter linking two entities passed in) are not
// flagged: they are not created per run, and such graphs are long-lived by design.

type MessageId = 'pair' | 'tree' | 'closureThis' | 'closureListener' | 'closureSelf' | 'closureSelfPins' | 'closureEmitter' | 'closureReturned' | 'closureDestructor' | 'closureHandle';

// A cycle that holds only memory is freed by the cycle collector, late but always: measured,
// 100,000 pairs made per call raise the peak by about 4 MB, a sawtooth, not growth. Blind
// reviews judged 17 of the 18 such findings on real code (eight code bases) not worth
// changing, so they are hints: shown in the editor with their fix, never in CI; in long-running
// code a note. A cycle that keeps a handle open or a destructor from running stays a finding.
const MEMORY_ONLY: ReadonlySet<MessageId> = new Set(['pair', 'tree', 'closureThis', 'closureListener', 'closureSelf', 'closureSelfPins', 'closureEmitter', 'closureReturned']);

/** `$from->prop = $to` or `$from->prop[…] = $to`. */
interface Link { from: string; prop: string; to: string; node: Assign }

export default defineRule({
  meta: {
    id: 'circular-reference',
    severity: 'info',
    longRunningSeverity: 'warning',
    longRunningEffect: 'the cycles pile up between collector runs for as long as the process lives',
    // Kept from one request or job to the next: a one-shot script gives it back when it exits.
    silentInOneShot: true,
    fixable: 'sometimes',
    description: 'Objects made to point at each other in a loop or hot path, left to the cycle collector.',
    messages: {
      pair: '`${{a}}->{{p1}}` and `${{b}}->{{p2}}` form a reference cycle, created anew {{per}}',
      tree: 'Each new `${{fresh}}` points back at `$this` (`->{{back}}`): one reference cycle per child, {{per}}',
      closureThis: '`$this->{{prop}}` holds a closure bound to `$this`: a cycle like `$a->b = $b; $b->a = $a`, one per {{cls}}',
      closureListener: 'The callback given to `$this->{{prop}}` is bound to `$this`: a cycle ($this → {{prop}} → closure), one per {{cls}}',
      closureSelf: '`${{name}}` holds a closure that captures `${{name}}` by reference: a reference cycle, made anew on every call',
      closureEmitter: 'The listener on `${{name}}` captures `${{name}}`: emitter and listener point at each other, a new cycle per call',
      closureSelfPins: '`${{name}}` holds itself and `${{pins}}` by reference: each call leaves its whole `${{pins}}` to the cycle collector',
      closureReturned: 'This closure is bound to `$this` and ends up in `$this->{{prop}}`: a reference cycle, one per {{cls}}',
      closureDestructor: '`{{call}}()` keeps a callback bound to `$this`, so `__destruct()`, which removes it, never runs',
      closureHandle: '`$this->{{prop}}` keeps a callback bound to `$this`: the handle stays open until the cycle collector runs',
    },
    details: {
      pair: '`${{a}}` and `${{b}}` are made to point at each other (`->{{p1}}` and `->{{p2}}`), and a new `${{fresh}}` is created {{where}}: reference counting can never free such a pair, so every one stays in memory until the cycle collector runs (measured: 100,000 such pairs raise the peak by 4,183 KB and make the collector run about 20 times), a sawtooth that grows with the work.',
      closureThis: 'A closure written in an instance method is bound to `$this` whether it uses `$this` or not; stored in `$this->{{prop}}`, it makes {{cls}} ({{why}}) point at itself through the closure, exactly like `$a->b = $b; $b->a = $a`. When the object is dropped reference counting frees neither, and every instance waits for the cycle collector (measured: 100,000 such objects raise the peak by 6,342 KB and make the collector run 9 times; with a `static function`: +36 KB, 0 runs).',
      closureListener: 'A closure written in an instance method is bound to `$this`; handed to `$this->{{prop}}`, which keeps it, it closes the cycle `$this` → `$this->{{prop}}` → closure → `$this` for every {{cls}} ({{why}}): when the object is dropped, reference counting frees none of them, and each waits for the cycle collector.',
      closureSelf: 'The closure captures `${{name}}` by reference so that it can call itself, and `${{name}}` holds the closure: the closure holds itself. Reference counting never frees it (not even after `unset(${{name}})`: the closure still holds the reference), so every call leaves one for the cycle collector, with everything the closure captures (measured: 100,000 calls raise the peak by 7,857 KB, 10 collector runs; with `${{name}} = null;` after use: +36 KB, 0 runs).',
      closureEmitter: 'The listener captures `${{name}}`, and `${{name}}` keeps the listener: emitter and listener point at each other, made anew each time this code runs. Reference counting frees neither when the function returns; each pair waits for the cycle collector (measured: 100,000 calls raise the peak by 6,996 KB, 19 collector runs).',
      closureSelfPins: 'The closure captures `${{name}}` by reference so that it can call itself, and `${{name}}` holds the closure: the closure holds itself, and with it `${{pins}}`, which it fills through a reference. Reference counting never frees them, so every call leaves its whole `${{pins}}` in memory until the cycle collector runs, which it does only after about 10,000 such leftovers (measured on PHP 8.2: flattening a 100-entry array 20,000 times raises the peak by 63,557 KB; with `${{name}} = null;` after use: +14 KB).',
      closureReturned: 'A closure written in an instance method is bound to `$this` whether it uses `$this` or not. This one is returned to the caller, which stores it in `$this->{{prop}}`: {{cls}} ({{why}}) then points at itself through the closure, exactly like `$a->b = $b; $b->a = $a`, and every instance waits for the cycle collector with everything it references (measured: 100,000 such objects raise the peak by 6,342 KB and make the collector run 9 times; with a `static function`: +36 KB, 0 runs).',
      closureDestructor: 'The closure is bound to `$this`, and what it is registered on keeps it: as long as that lives (and it keeps it even when only `$this` holds that), reference counting never frees this {{cls}}, so `__destruct()` (which removes the registration) does not run when the last outside reference goes. A registration on a long-lived object then keeps every {{cls}} ever made; one on an object `$this` holds makes a cycle left to the collector.',
      closureHandle: 'The closure is bound to `$this`, and `$this->{{prop}}`, an OS handle that {{cls}} opened, keeps it: {{cls}} and its handle point at each other, so when the last outside reference goes neither is freed and the handle (a file descriptor, a curl connection) stays open until the cycle collector runs. Code that makes such objects repeatedly runs out of descriptors first ("Too many open files").',
      tree: 'Each new `${{fresh}}` points back at `$this` (`->{{back}}`) while `$this->{{forward}}` holds it, created {{where}}: every child forms a cycle with its parent, so when the structure is dropped reference counting frees none of it and it stays in memory until the cycle collector runs (measured: 100,000 small cycles raise the peak by 4,183 KB, about 20 collector runs).',
    },
    tips: {
      pair: 'Hold the back-reference weakly (`WeakReference::create($parent)`, read with `->get()`), or break the cycle when done (`$child->parent = null`).',
      tree: 'Hold the back-reference weakly (`$child->parent = WeakReference::create($this)`), or clear the children (`$child->parent = null`) when the structure is dropped.',
      closureThis: 'Make it a `static function` (or `static fn`) when it does not use `$this`; when it does, capture a weak reference instead (`$self = WeakReference::create($this); … static function () use ($self) { $self->get()?->… }`).',
      closureListener: 'Pass a `static function` (or `static fn`) that does not capture `$this`, or capture `WeakReference::create($this)` and read it with `->get()`.',
      closureSelf: 'Set `${{name}} = null;` when you are done with it (not `unset()`), or make the recursion a named function or a method.',
      closureEmitter: 'Use the emitter the event passes to the listener instead of capturing it, capture `WeakReference::create(${{name}})`, or remove the listener when done.',
      closureSelfPins: 'Set `${{name}} = null;` before returning (not `unset()`), or make the recursion a named function or a method.',
      closureReturned: 'Make it a `static function` (or `static fn`) when it does not use `$this`; when it does, capture a weak reference (`WeakReference::create($this)`).',
      closureDestructor: 'Pass a `static function` that captures only what it writes (by reference) or `WeakReference::create($this)`, so that `__destruct()` can run.',
      closureHandle: 'Pass a `static function` that captures a weak reference (`WeakReference::create($this)`) or a clone without the handle, or unset the callback when closing the handle.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    if (ctx.isTestFile) return {};
    const report = (d: ReportDescriptor<MessageId>): void => ctx.report(MEMORY_ONLY.has(d.messageId) ? { ...d, severity: 'hint', raiseTo: 'info' } : d);
    const links = new Map<Scope, Link[]>();
    /** `$x->p = null` / `unset($x->p)`: the code breaks the cycle itself. */
    const breaks = new Map<Scope, Set<string>>();
    const addBreak = (scope: Scope, key: string): void => {
      const s = breaks.get(scope) ?? new Set<string>();
      s.add(key);
      breaks.set(scope, s);
    };
    return {
      assign(node) {
        if (node.operator !== '=') return;
        const target = propertyTarget(node.left);
        if (!target) return;
        const scope = ctx.facts.scopeOf(node);
        if (node.right.kind === 'nullkeyword') { addBreak(scope, `${target.from}->${target.prop}`); return; }
        const to = varName(node.right);
        if (to === null || to === target.from) return;
        const list = links.get(scope) ?? [];
        list.push({ ...target, to, node });
        links.set(scope, list);
      },
      unset(node: Unset) {
        for (const v of node.variables) {
          const t = propertyTarget(v);
          if (t) addBreak(ctx.facts.scopeOf(node), `${t.from}->${t.prop}`);
        }
      },
      'program:exit'() {
        // The file runs gc_collect_cycles() on its own schedule (a periodic timer, a loop): every
        // cycle it makes is freed within one period, so only what the collector cannot settle
        // is left to say (engine/facts/gc-schedule.ts).
        const collected = scheduledCollections(ctx.facts).length > 0;
        reportClosureCycles(collected);
        if (collected) return;
        for (const [scope, list] of links) {
          const reported = new Set<Assign>();
          for (const second of list) {
            const first = list.find((l) => l.from === second.to && l.to === second.from && l.node !== second.node);
            if (!first || reported.has(first.node) || reported.has(second.node)) continue;
            const broken = breaks.get(scope);
            if (broken && (broken.has(`${first.from}->${first.prop}`) || broken.has(`${second.from}->${second.prop}`))) continue;
            const found = freshAndRepeated(scope, [first.from, first.to], ctx.facts);
            if (!found) continue;
            // Report where the cycle is closed: the later of the two links.
            const [l1, l2] = offset(first.node) < offset(second.node) ? [first, second] : [second, first];
            reported.add(first.node).add(second.node);
            const where = describe(found.rep);
            const related = [
              { at: l1.node as PhpNode, message: 'the other direction of the cycle' },
              { at: repetitionSite(found.rep), message: found.rep.kind === 'loop' ? 'the loop that creates a new cycle per iteration' : 'this repeats it' },
            ];
            const thisLink = [l1, l2].find((l) => l.to === 'this');
            const fwd = [l1, l2].find((l) => l.from === 'this');
            if (thisLink && fwd) {
              report({ at: l2.node, messageId: 'tree', related, data: { fresh: found.name, back: thisLink.prop, forward: fwd.prop, where, per: perText(found.rep) } });
            } else {
              report({ at: l2.node, messageId: 'pair', related, data: { a: l1.from, b: l1.to, p1: l1.prop, p2: l2.prop, fresh: found.name, where, per: perText(found.rep) } });
            }
          }
        }
      },
    };

    function reportClosureCycles(collected: boolean): void {
      // A registration that keeps `$this` from its destructor is not a cycle the collector frees;
      // a handle in a cycle stays open until the next collection, which the schedule bounds.
      const cycles = closureCycles(ctx.facts, ctx.longRunning).filter((c) => !collected || c.kind === 'destructor' || c.kind === 'handle');
      // One finding per property: the branches that each store a closure in `$this->sort` (one
      // per sort mode) are one cycle per object, not one each.
      const sameProp = (a: (typeof cycles)[number], b: (typeof cycles)[number]): boolean => a.kind === 'this' && b.kind === 'this' && a.cls === b.cls && a.prop === b.prop;
      for (const c of cycles) {
        switch (c.kind) {
          case 'this': {
            const group = cycles.filter((o) => sameProp(o, c));
            if (group[0] !== c) break;
            const all = group as Extract<typeof c, { kind: 'this' }>[];
            report({
              at: c.at, messageId: 'closureThis', data: { prop: c.prop, cls: c.cls, why: c.why },
              related: all.slice(1).map((o) => ({ at: o.at, message: `another closure bound to \`$this\` stored in \`$this->${o.prop}\`` })),
              fix: all.every((o) => o.fixable) ? (f) => f.fix(`Make the closure${all.length > 1 ? 's' : ''} static: ${all.length > 1 ? 'they do' : 'it does'} not use $this`, all.map((o) => f.insertBefore(o.closure, 'static ')), 'safe') : undefined,
            });
            break;
          }
          case 'listener':
            report({ at: c.at, messageId: 'closureListener', data: { prop: c.prop, cls: c.cls, why: c.why } });
            break;
          case 'self':
            if (c.pins !== null) report({ at: c.at, messageId: 'closureSelfPins', data: { name: c.name, pins: c.pins } });
            else report({ at: c.at, messageId: 'closureSelf', data: { name: c.name } });
            break;
          case 'returned':
            report({ at: c.at, messageId: 'closureReturned', data: { prop: c.prop, cls: c.cls, why: c.why }, related: [{ at: c.store, message: `stored in \`$this->${c.prop}\` here` }] });
            break;
          case 'destructor':
            report({ at: c.at, messageId: 'closureDestructor', data: { call: c.call, cls: c.cls }, related: [{ at: c.removal, message: 'the removal that never runs while the registration holds the object' }] });
            break;
          case 'handle':
            report({ at: c.at, messageId: 'closureHandle', data: { prop: c.prop, cls: c.cls }, ...(collected ? { raiseTo: 'info' as const } : {}) });
            break;
          case 'emitter':
            report({ at: c.at, messageId: 'closureEmitter', data: { name: c.name } });
            break;
        }
      }
    }
  },
});

function offset(n: PhpNode): number { return n.loc?.start.offset ?? 0; }

/** `$x->p`, `$x->p[]`, `$x->p[$k]` (any depth): the object variable and the property. */
function propertyTarget(left: PhpNode): { from: string; prop: string } | null {
  let n = left;
  while (n.kind === 'offsetlookup') n = n.what;
  if (n.kind !== 'propertylookup' || n.offset.kind !== 'identifier') return null;
  const from = varName(n.what);
  return from === null ? null : { from, prop: n.offset.name };
}

/**
 * One of the two variables holds an object created in this scope (`new`/`clone`), and that
 * creation runs repeatedly: the cycle is made anew each time.
 */
function freshAndRepeated(scope: Scope, names: string[], facts: Facts): { name: string; rep: Repetition } | null {
  // The object created in the innermost repetition tells the story best (a loop here over a caller).
  const rank = (r: Repetition): number => (r.kind === 'loop' ? 0 : r.kind === 'callback' ? 1 : 2);
  let best: { name: string; rep: Repetition } | null = null;
  for (const name of names) {
    if (name === 'this' || scope.params.has(name)) continue;
    for (const a of scope.accesses) {
      if (a.storage !== 'var' || a.name !== name || a.role !== 'assign' || a.via?.kind !== 'assign' || a.via.left !== a.node) continue;
      const right = a.via.right;
      if (right.kind !== 'new' && right.kind !== 'clone') continue;
      const rep = repetitionOf(a.via, facts);
      if (rep && overCallersFewItems(rep, facts)) continue;
      if (rep && (!best || rank(rep) < rank(best.rep))) best = { name, rep };
    }
  }
  return best;
}

/**
 * Does the repetition come down to a `foreach` over a parameter or a property (the caller's
 * collection: a field's few items, a form's entries) with no evidence that it holds run-time
 * data (engine/facts/data-size.ts)? A handful of cycles is nothing for the collector.
 */
function overCallersFewItems(rep: Repetition, facts: Facts): boolean {
  let r: Repetition = rep;
  while (r.kind === 'caller') r = r.repetition;
  if (r.kind !== 'loop' || r.loop.kind !== 'foreach') return false;
  const src = r.loop.source;
  const v = varName(src);
  const fromCaller = (v !== null && facts.scopeOf(r.loop).params.has(v)) || thisPropertyName(src) !== null;
  return fromCaller && dataSizedLoop(r.loop, facts) === null;
}

/** `describe`, shorter, for the one-line message. */
function perText(rep: Repetition): string {
  switch (rep.kind) {
    case 'loop': return 'on every iteration';
    case 'callback': return 'once per element';
    case 'caller': return 'on every call';
  }
}

function describe(rep: Repetition): string {
  switch (rep.kind) {
    case 'loop': return 'on every iteration of a loop';
    case 'callback': return 'once per element of a callback';
    case 'caller': return 'each time this function runs (this file calls it repeatedly)';
  }
}
