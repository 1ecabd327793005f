import { importsAt, resolvedName } from './imports.js';
import type { ClassFacts } from './scopes.js';
import { frameworkMadeFor } from './framework-lifetimes.js';
import { sharedServiceOf } from './services.js';
import type { Facts } from './index.js';

// How long does an object of this class live? An instance array grows only while its object
// lives: in a shared service (one instance for the whole worker) that is the process, in a
// query builder, a parser or a result collector it is one operation. Read from the class's
// shape (its name's role, what it extends, whether it is a container-built service); the
// cross-file side (who stores an instance) is the project index's (engine/project-index.ts).

export type Lifetime =
  /** One instance serves every job or request of the process: a service, a singleton. */
  | 'shared'
  /** Made for one operation and dropped: builders, parsers, iterators, collectors, compile passes. */
  | 'operation'
  /** Nothing tells: treated as possibly shared. */
  | 'unknown';

export interface LifetimeVerdict { lifetime: Lifetime; why: string }

/**
 * Roles (the last word of a class name) of objects made for one operation: a query builder
 * lives for one query, a parser for one document, a compiler pass for one container build.
 */
const OPERATION_ROLE = /(Builder|Parser|Lexer|Tokenizer|Scanner|Iterator|Collector|Compiler|Graph|Visitor|Walker|Traverser|Deserializer|Dumper|Printer|Query|QueryBuilder|Result|ResultSet|Statement|Cursor|Paginator|Pass|Analy[sz]er|Context|Batch|Import|Export|Migration|Request|Response|Event|Message|Dto|Diff|Differ|Document|Node|Token|Tree|Stack|Reader|Writer|Stream|Job|Test|TestCase|List_?Table|Renderer_?Table|Item)$/;
/** Roles of long-lived objects, which win over the roles above (`QueryBuilderFactory`, `PluginManager`). */
const SERVICE_ROLE = /(Manager|Registry|Factory|Service|Provider|Cache|Pool|Container|Kernel|Application|Server|Worker|Handler|Listener|Subscriber|Discovery|Decorator|Resolver|Repository|Storage)$/;
/** Base classes whose instances live for one operation (one-run console commands, test cases). */
const OPERATION_BASES = /(^|\\)(Command|TestCase|KernelTestCase|WebTestCase|Migration|Event|Job)$/;

/** The lifetime of instances of `cls`; `longRunning` says whether the file runs in a worker. */
export function lifetimeOf(cls: ClassFacts, facts: Facts, longRunning: boolean): LifetimeVerdict {
  // As sharedServiceOf: asked for every class by several rules and the summary, kept once the
  // facts are final.
  if (!facts.longRunning.complete) return decideLifetime(cls, facts, longRunning);
  let kept = LIFETIMES.get(cls);
  if (!kept) { kept = [undefined, undefined]; LIFETIMES.set(cls, kept); }
  const i = longRunning ? 1 : 0;
  return (kept[i] ??= decideLifetime(cls, facts, longRunning));
}
const LIFETIMES = new WeakMap<ClassFacts, [LifetimeVerdict | undefined, LifetimeVerdict | undefined]>();

function decideLifetime(cls: ClassFacts, facts: Facts, longRunning: boolean): LifetimeVerdict {
  const service = sharedServiceOf(cls, facts);
  if (service) return { lifetime: 'shared', why: service.label };
  // Objects a framework makes for each request or job, also under Octane or a queue worker
  // (engine/facts/framework-lifetimes.ts): their instance state dies with that request or job.
  const made = frameworkMadeFor(cls);
  if (made) return { lifetime: 'operation', why: made };
  // A trait's role is its name without `Trait` (`MessageTrait`: state of a message).
  const name = (cls.name ?? '').replace(/_?Trait$/i, '');
  const node = cls.node;
  const base = node.kind === 'class' && node.extends ? resolvedName(node.extends) ?? '' : '';
  // A console command without evidence of a worker loop runs once and exits.
  if (OPERATION_BASES.test(base) && !longRunning) return { lifetime: 'operation', why: `a \`${base.replace(/^.*\\/, '')}\` (one run)` };
  // Query objects (`…\Query\Select`, views' `…\query\Sql`) live for one query; plugin
  // instances are made by their manager for one use.
  const ns = namespaceOf(cls);
  const serviceName = SERVICE_ROLE.test(name);
  if (!serviceName && /(^|\\)(Query|Plugin)(\\|$)/i.test(ns)) return { lifetime: 'operation', why: `a \`${name}\` in \`${ns}\`, made for one use` };
  if (OPERATION_ROLE.test(name) && !serviceName) {
    return { lifetime: 'operation', why: `a \`${name}\`, made for one operation` };
  }
  return { lifetime: 'unknown', why: '' };
}

/** Is the class a shared service, or named for a long-lived role (`…Container`, `…Registry`, `…Manager`)? */
export function livesLong(cls: ClassFacts, facts: Facts): boolean {
  return sharedServiceOf(cls, facts) !== null || SERVICE_ROLE.test((cls.name ?? '').replace(/_?Trait$/i, ''));
}

function namespaceOf(cls: ClassFacts): string {
  return importsAt(cls.node).namespace ?? '';
}
