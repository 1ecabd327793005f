import { importsAt, resolvedName } from './imports.js';
import type { ClassFacts } from './scopes.js';
import { frameworkMadeFor } from './framework-lifetimes.js';

// Classes whose code runs only while an HTTP request is served: controllers, middleware, form
// requests, Livewire components. Under PHP-FPM (or any server that starts a fresh PHP request
// for each HTTP request) everything they touch, the container and its singletons included, is
// given back when the response is sent; queue workers and daemons never run them. Only an
// application server that keeps the application between requests (Octane, RoadRunner,
// Swoole, FrankenPHP's worker mode) carries their state, listeners and caches over: the
// project's runtime decides (engine/http-runtime.ts).

/** Namespaces of console code: Yii's `console\controllers`, a `Command` folder. */
const CONSOLE_NAMESPACE = /(^|\\)(console|commands?|cli)(\\|$)/i;
const CONTROLLER_NAMESPACE = /(^|\\)controllers?(\\|$)/i;
/** Bases of console controllers, which run in a worker as readily as anywhere (`yii queue/listen`). */
const CONSOLE_BASE = /(^|\\)console\\/i;
const LIVEWIRE_COMPONENT = 'livewire\\component';
const ROUTE_ATTRIBUTES = /(^|\\)(Route|AsController|Get|Post|Put|Patch|Delete)$/;

/** What makes `cls` code that runs only while a request is served ("a controller"), or null. */
export function perRequestRole(cls: ClassFacts): string | null {
  const node = cls.node;
  if (node.kind !== 'class' || node.isAnonymous || !cls.name) return null;
  const made = frameworkMadeFor(cls);
  if (made?.startsWith('a Laravel middleware') || made?.startsWith('a form request')) return made.replace(/, made for each request$/, '');
  const ns = importsAt(node).namespace ?? '';
  const base = resolvedName(node.extends) ?? '';
  if (CONSOLE_NAMESPACE.test(ns) || CONSOLE_BASE.test(base)) return null;
  if (base.toLowerCase() === LIVEWIRE_COMPONENT) return 'a Livewire component';
  // Leantime's `Controllers\EditCanvasItem`, Laravel's `Http\Controllers\…`, Symfony's `App\Controller\…`.
  if (CONTROLLER_NAMESPACE.test(ns)) return 'a controller';
  if (/Controller$/.test(cls.name) && (/Controller$/.test(base) || hasRouteAttribute(cls))) return 'a controller';
  return null;
}

/** `#[Route('/x')]` on the class or a method, `#[AsController]`: Symfony's HTTP entry points. */
function hasRouteAttribute(cls: ClassFacts): boolean {
  const groups = [...(cls.node.attrGroups ?? []), ...[...cls.methods.values()].flatMap((m) => m.attrGroups ?? [])];
  return groups.some((g) => g.kind === 'attrgroup' && g.attrs.some((a) => a.kind === 'attribute' && ROUTE_ATTRIBUTES.test(a.name)));
}
