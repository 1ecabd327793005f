import type { ComposerJson } from './composer-json.js';

// How the project serves HTTP requests. Under PHP-FPM, mod_php or CGI each request starts from
// nothing and gives everything back when the response is sent: a listener a controller adds, a
// cache a middleware fills, the container's singletons, all go with the request, and only queue
// workers, daemons and long commands live long (they do not run controllers). An application
// server (Octane, RoadRunner, Swoole, FrankenPHP's worker mode, ReactPHP, Amp) keeps the
// application between requests: then request code leaks like a worker does.

export type HttpRuntime =
  /** A fresh PHP request per HTTP request (PHP-FPM): request-only code cannot grow the process. */
  | 'per-request'
  /** An application server that keeps the application between requests. */
  | 'long-lived';

/** Packages that run the application in a long-lived HTTP server (by name or prefix). */
const APP_SERVER_PACKAGES: readonly RegExp[] = [
  /^laravel\/octane$/, /^spiral\/roadrunner/, /^roadrunner-php\//, /^baldinof\/roadrunner-bundle$/,
  /^runtime\/(roadrunner|swoole|frankenphp|reactphp|react)/, /^openswoole\//, /^swoole\//, /^hyperf\//,
  /^php-pm\//, /^react\/http$/, /^amphp\/http-server$/, /^workerman\//, /^ext-(open)?swoole$/,
  /^spiral\/framework$/, /^mezzio\/mezzio-swoole$/, /^chubbyphp\/chubbyphp-swoole/,
];
/** Packages that make a project an application of a framework when composer.json has no type. */
const FRAMEWORK_APP_PACKAGES = new Set(['laravel/framework', 'symfony/framework-bundle', 'laravel/lumen-framework', 'cakephp/cakephp', 'yiisoft/yii2', 'slim/slim', 'laminas/laminas-mvc']);

/**
 * The HTTP runtime the project's composer.json tells, or null when it does not: a library (its
 * users decide how it runs), no composer.json. An application (`"type": "project"`, or no type
 * and a framework required) is long-lived when it requires an application server, per-request
 * otherwise.
 */
export function httpRuntimeOf(composer: ComposerJson | null): HttpRuntime | null {
  if (!composer) return null;
  const required = Object.keys(composer.require ?? {}).map((p) => p.toLowerCase());
  const application = composer.type === 'project' || (composer.type === undefined && required.some((p) => FRAMEWORK_APP_PACKAGES.has(p)));
  if (!application) return null;
  return required.some((p) => APP_SERVER_PACKAGES.some((re) => re.test(p))) ? 'long-lived' : 'per-request';
}
