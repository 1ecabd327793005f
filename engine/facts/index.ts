import type { Call, ClassLike, FunctionDecl, FunctionLike, PhpNode, Program } from '../nodes.js';
import { isClassLike, isFunctionLike } from '../nodes.js';
import { classifyAccess } from './access.js';
import { LongRunningDetector } from './long-running.js';
import { functionName, methodName, varName } from './names.js';
import { newClassFacts, newScope, type ClassFacts, type Scope } from './scopes.js';

export type { Access, AccessRole, StorageKind } from './access.js';
export { BYREF_BUILTINS, GROW_ROLES, WRITE_ROLES, accessesByProperty, classifyAccess, storageOf } from './access.js';
export type { ClassFacts, PropertyInfo, Scope, ScopeKind } from './scopes.js';
export * from './ancestry.js';
export * from './names.js';
export { LongRunningDetector, isEndless, longRunningMatcher } from './long-running.js';
export type { LongRunningKind, LongRunningReason, LongRunningVerdict } from './long-running.js';

/**
 * Shared facts about one file, collected during the engine's single walk (the collector runs
 * before the rules' visitors on every node). Facts about a scope or class are complete when
 * that node is exited: rules that need them decide in `<kind>:exit` or `program:exit`.
 */
export class Facts {
  private readonly scopeByNode = new Map<PhpNode, Scope>();
  private readonly classByNode = new Map<PhpNode, ClassFacts>();
  private readonly scopeStack: Scope[] = [];
  private readonly classStack: ClassFacts[] = [];
  readonly scopes: Scope[] = [];
  readonly classes: ClassFacts[] = [];
  /** Plain function calls by lower-cased name (whole file). */
  readonly functionCalls = new Map<string, Call[]>();
  /** Method calls (`->m()`, `::m()`) by lower-cased name (whole file). */
  readonly methodCalls = new Map<string, Call[]>();
  /** Function declarations by lower-cased name. */
  readonly functions = new Map<string, FunctionDecl>();
  /** Evidence that the file runs in a long-running process; complete at `program:exit`. */
  readonly longRunning = new LongRunningDetector();

  /** The innermost function-like scope (or the top level) containing `node`. */
  scopeOf(node: PhpNode): Scope {
    for (let n: PhpNode | undefined = node; n; n = n.parent) {
      const s = this.scopeByNode.get(n);
      if (s && n !== node) return s;
      if (s && n === node && n.kind === 'program') return s;
    }
    return this.scopes[0]!;
  }

  /** Scope of a function-like node itself. */
  scopeFor(fn: FunctionLike | Program): Scope | undefined { return this.scopeByNode.get(fn); }

  /** The innermost class-like declaration containing `node`. */
  classOf(node: PhpNode): ClassFacts | null {
    for (let n = node.parent; n; n = n.parent) {
      const c = this.classByNode.get(n);
      if (c) return c;
    }
    return null;
  }

  classFor(node: ClassLike): ClassFacts | undefined { return this.classByNode.get(node); }

  // ---- collector: called by the engine's walk, not by rules ----

  enter(node: PhpNode): void {
    const scope = this.scopeStack[this.scopeStack.length - 1] ?? null;
    const cls = this.classStack[this.classStack.length - 1] ?? null;
    this.longRunning.enter(node);
    switch (node.kind) {
      case 'program': this.pushScope(newScope(node as Program, null, null)); return;
      case 'function': case 'method': case 'closure': case 'arrowfunc': {
        const ownerClass = node.kind === 'method' ? cls : scope?.cls ?? null;
        const s = newScope(node, scope, ownerClass);
        if (scope && (node.kind === 'closure' || node.kind === 'arrowfunc')) scope.children.push(s);
        if (node.kind === 'function' && s.name) this.functions.set(s.name, node);
        if (node.kind === 'method' && cls && s.name) cls.methods.set(s.name, node);
        this.pushScope(s);
        return;
      }
      case 'class': case 'interface': case 'trait': case 'enum': {
        const c = newClassFacts(node);
        this.classByNode.set(node, c);
        this.classes.push(c);
        this.classStack.push(c);
        return;
      }
      case 'propertystatement':
        if (cls) for (const p of node.properties) cls.properties.set(p.name.name, { node: p, statement: node, isStatic: node.isStatic });
        return;
      case 'classconstant':
        if (cls) for (const c of node.constants) {
          const cn = c as { name: unknown; value: unknown };
          const name = typeof cn.name === 'string' ? cn.name : (cn.name as { name?: string })?.name;
          if (name) cls.constants.set(name, cn.value as PhpNode);
        }
        return;
      case 'yield': case 'yieldfrom':
        if (scope) { scope.isGenerator = true; scope.yields.push(node); }
        return;
      case 'return': scope?.returns.push(node); return;
      case 'new': scope?.news.push(node); return;
      case 'call': {
        scope?.calls.push(node);
        const fn = functionName(node);
        if (fn) push(this.functionCalls, fn, node);
        const m = methodName(node);
        if (m) push(this.methodCalls, m, node);
        return;
      }
      case 'static':
        // php-parser gives `static $x = 1;` a staticvariable but `static $x;` a bare variable.
        if (scope) for (const sv of node.variables as PhpNode[]) {
          const target = sv.kind === 'staticvariable' ? sv.variable : sv;
          const v = varName(target);
          if (v && (sv.kind === 'staticvariable' || sv.kind === 'variable')) scope.staticVars.set(v, sv);
        }
        return;
      case 'global':
        if (scope) for (const it of node.items) { const v = varName(it); if (v) scope.globals.add(v); }
        return;
      case 'variable': case 'propertylookup': case 'nullsafepropertylookup': case 'staticlookup':
        this.recordAccess(node, scope, cls);
        return;
      default:
        return;
    }
  }

  exit(node: PhpNode): void {
    if (node.kind === 'program') this.longRunning.finish();
    if (isFunctionLike(node) || node.kind === 'program') {
      const s = this.scopeStack.pop();
      if (s && s.kind === 'method' && s.cls) s.cls.scopes.push(s);
    } else if (isClassLike(node)) {
      this.classStack.pop();
    }
  }

  private pushScope(s: Scope): void {
    this.scopeByNode.set(s.node, s);
    this.scopes.push(s);
    this.scopeStack.push(s);
  }

  private recordAccess(node: PhpNode, scope: Scope | null, cls: ClassFacts | null): void {
    if (!scope) return;
    const parent = node.parent;
    // `use ($x, &$y)` reads the variables of the enclosing scope.
    if (parent && parent.kind === 'closure' && parent.uses.includes(node)) {
      const name = varName(node);
      if (name) scope.captures.set(name, node.kind === 'variable' && node.byref === true);
      const a = classifyAccess(node);
      if (a && scope.parent) scope.parent.accesses.push({ ...a, role: a.role === 'read' && node.kind === 'variable' && node.byref ? 'assign-ref' : a.role });
      return;
    }
    const a = classifyAccess(node);
    if (!a) return;
    scope.accesses.push(a);
    if (!cls) return;
    if (a.storage === 'prop' || (a.storage === 'static-prop' && (a.cls === 'self' || a.cls === 'static' || (cls.name !== null && a.cls?.replace(/^.*\\/, '') === cls.name)))) {
      cls.accesses.push(a);
    }
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}
