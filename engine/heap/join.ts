import type { FileSummary } from '../project-index.js';
import { ENGINE_DEFAULTS, type Finding, type Range } from '../types.js';
import type { Owner } from './rows.js';

// The join with the code: a container's owner (class + property, static property) is looked up
// among the project's declarations (the project index's file summaries), and the static
// findings at that declaration are found by position, never by message text:
//  - a finding whose range or related location covers the declaration ("declared here");
//  - a finding inside the declaring class whose code touches the property (`->items`, `::$memo`).

export interface Declaration {
  /** As the front end names the file. */
  path: string;
  cls: string;
  name: string;
  isStatic: boolean;
  range: Range;
  classRange: Range;
}

const MAX_PARENTS = 16;

export class DeclarationIndex {
  private readonly classes = new Map<string, { path: string; summary: FileSummary['classes'][number] }>();

  constructor(summaries: Iterable<FileSummary>) {
    for (const s of summaries) {
      for (const c of s.classes) {
        const k = c.fqn.toLowerCase();
        // The first file wins: paths come sorted, so the answer does not depend on lint order.
        if (!this.classes.has(k)) this.classes.set(k, { path: s.path, summary: c });
      }
    }
  }

  get size(): number { return this.classes.size; }

  /** The declaration of an owner in the project (following `extends`), or null. */
  find(owner: Owner): Declaration | null {
    if (owner.kind !== 'property' && owner.kind !== 'static') return null;
    let cls = owner.cls.replace(/^\\/, '');
    for (let i = 0; i < MAX_PARENTS; i++) {
      const c = this.classes.get(cls.toLowerCase());
      if (!c) return null;
      const p = c.summary.properties?.find((x) => x.name === owner.name && x.isStatic === (owner.kind === 'static'));
      if (p) return { path: c.path, cls: c.summary.fqn, name: p.name, isStatic: p.isStatic, range: p.range, classRange: c.summary.range };
      if (!c.summary.extends) return null;
      cls = c.summary.extends;
    }
    return null;
  }
}

const ENGINE_IDS = new Set(Object.keys(ENGINE_DEFAULTS));

/** The findings of the declaration's file that concern it. `text`: the file's text, for the code test. */
export function findingsAt(decl: Declaration, findings: readonly Finding[], text: string | undefined): Finding[] {
  const touch = text !== undefined ? touchesProperty(decl) : null;
  return findings.filter((f) => {
    if (ENGINE_IDS.has(f.ruleId)) return false;
    if (overlaps(f.range, decl.range)) return true;
    if (f.related.some((r) => !r.path && overlaps(r.range, decl.range))) return true;
    if (!touch || !within(f.range, decl.classRange)) return false;
    return touch.test(text!.slice(f.range.start.offset, f.range.end.offset));
  });
}

function touchesProperty(d: Declaration): RegExp {
  const name = d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return d.isStatic ? new RegExp(`::\\$${name}(?![\\w\\x80-\\uffff])`) : new RegExp(`->${name}(?![\\w\\x80-\\uffff(])`);
}

function overlaps(a: Range, b: Range): boolean {
  return a.start.offset < b.end.offset && b.start.offset < a.end.offset
    || (a.start.offset === a.end.offset && a.start.offset >= b.start.offset && a.start.offset <= b.end.offset);
}

function within(a: Range, b: Range): boolean {
  return a.start.offset >= b.start.offset && a.end.offset <= b.end.offset;
}
