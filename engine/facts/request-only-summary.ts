import type { Parameter } from '../nodes.js';
import { perRequestRole } from './http-scope.js';
import { resolveClassName } from './imports.js';
import { typeNames } from './names.js';
import type { Facts } from './index.js';
import type { ClassFacts, Scope } from './scopes.js';

// What the project index needs to tell, under PHP-FPM, a class whose instances only request
// code reaches (engine/project-lifetimes.ts `requestOnly`): which classes of the file are
// request-only by role (controllers, middleware: engine/facts/http-scope.ts), and which classes
// code of any other kind takes as a parameter (a queued job's `handle(Registry $r)`: then an
// instance may be handed to a worker, whoever else holds it).

export interface RequestFacts {
  /** Classes of the file whose code runs only while a request is served. */
  requestClasses: Set<ClassFacts>;
  /** Classes (fully qualified, as resolved) typed as a parameter of code that is not request-only, constructors' kept parameters aside (those are holds). */
  passedTo: string[];
  /** Classes typed as a parameter of request code: an instance the container builds for a controller's constructor or action. */
  requestParams: string[];
}

export function requestFacts(facts: Facts, isKept: (p: Parameter, ctor: Scope) => boolean, notClasses: ReadonlySet<string>): RequestFacts {
  const requestClasses = new Set(facts.classes.filter((c) => perRequestRole(c) !== null));
  const passed = new Set<string>();
  const requestParams = new Set<string>();
  for (const s of facts.scopes) {
    if (s.kind === 'program') continue;
    const request = s.cls !== null && requestClasses.has(s.cls);
    const ctor = s.kind === 'method' && s.name === '__construct';
    for (const p of s.params.values()) {
      if (ctor && isKept(p, s) && !request) continue;
      for (const t of typeNames(p.type)) {
        if (notClasses.has(t.toLowerCase())) continue;
        const fqn = resolveClassName(t, p);
        if (!notClasses.has(fqn.toLowerCase())) (request ? requestParams : passed).add(fqn);
      }
    }
  }
  return { requestClasses, passedTo: [...passed].sort(), requestParams: [...requestParams].sort() };
}
