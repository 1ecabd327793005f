import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, parseConfig, projectHttpRuntime } from '../../engine/config.js';
import { httpRuntimeOf } from '../../engine/http-runtime.js';
import { rules } from '../../rules/index.js';
import { lintWith } from '../helpers/lint.js';

// Under PHP-FPM a controller's or a middleware's code lives for one request: what it adds to the
// process goes with the response, so rules about what a process keeps between requests say
// nothing there. Under an application server (Octane, RoadRunner…) the same code leaks. The
// runtime comes from phpleak.json's `httpRuntime`, else from the project's composer.json.

const MIDDLEWARE = `<?php
namespace App\\Http\\Middleware;

use Closure;
use Illuminate\\Database\\Events\\QueryExecuted;
use Illuminate\\Support\\Facades\\Event;

class TimeQueries
{
    private float $total = 0.0;

    public function handle($request, Closure $next)
    {
        Event::listen(QueryExecuted::class, function (QueryExecuted $query) {
            $this->total += $query->time;
        });
        return $next($request);
    }
}
`;

const controller = (ns: string, base: string) => `<?php
namespace ${ns};

use Illuminate\\Http\\Request;

class ReportController extends ${base}
{
    private static array $rendered = [];

    public function show(Request $request)
    {
        $slug = $request->input('slug');
        if (!isset(self::$rendered[$slug])) {
            self::$rendered[$slug] = view('report', ['slug' => $slug])->render();
        }
        return self::$rendered[$slug];
    }
}
`;

const at = (text: string, ids: string[], httpRuntime?: 'per-request' | 'long-lived') =>
  lintWith(text, ids, { path: 'app/x.php', ...(httpRuntime ? { httpRuntime } : {}) }).map((f) => `${f.range.start.line}:${f.range.start.column} ${f.ruleId} ${f.severity}`);

describe('request-only code and the HTTP runtime', () => {
  it('drops a listener a middleware adds per request under PHP-FPM, keeps it under an app server or when unknown', () => {
    expect(at(MIDDLEWARE, ['listener-in-loop'], 'per-request')).toEqual([]);
    expect(at(MIDDLEWARE, ['listener-in-loop'], 'long-lived')).toEqual(['14:8 listener-in-loop warning']);
    expect(at(MIDDLEWARE, ['listener-in-loop'])).toEqual(['14:8 listener-in-loop warning']);
  });

  it('drops a controller\'s static cache under PHP-FPM', () => {
    const text = controller('App\\Http\\Controllers', 'Controller');
    expect(at(text, ['unbounded-cache'], 'per-request')).toEqual([]);
    expect(at(text, ['unbounded-cache'], 'long-lived')).toEqual(['14:12 unbounded-cache warning']);
  });

  it('keeps console controllers (Yii\'s `yii queue/listen` runs them in a worker) and rules about one request\'s cost', () => {
    expect(at(controller('console\\controllers', '\\yii\\console\\Controller'), ['unbounded-cache'], 'per-request')).toEqual(['14:12 unbounded-cache warning']);
    // A class named `…Controller` outside any controller namespace, with no controller base: not told.
    expect(at(controller('App\\Services', 'BaseService'), ['unbounded-cache'], 'per-request')).toEqual(['14:12 unbounded-cache warning']);
    const read = `<?php
namespace App\\Http\\Controllers;

class ImportController extends Controller
{
    public function store(string $field): int
    {
        $rows = [];
        $h = fopen($_FILES[$field]['tmp_name'], 'r');
        while (($row = fgetcsv($h)) !== false) {
            $rows[] = $row;
        }
        return $this->importAll($rows);
    }
}
`;
    expect(at(read, ['file-read-into-array'], 'per-request')).toEqual(at(read, ['file-read-into-array']));
    expect(at(read, ['file-read-into-array'], 'per-request')).not.toEqual([]);
  });

  it('reads the runtime from composer.json: an application with or without an app server, a library', () => {
    expect(httpRuntimeOf({ type: 'project', require: { php: '^8.2', 'laravel/framework': '^11.0' } })).toBe('per-request');
    expect(httpRuntimeOf({ type: 'project', require: { 'laravel/framework': '^11.0', 'laravel/octane': '^2.0' } })).toBe('long-lived');
    expect(httpRuntimeOf({ type: 'project', require: { 'symfony/framework-bundle': '7.*', 'runtime/frankenphp-symfony': '*' } })).toBe('long-lived');
    expect(httpRuntimeOf({ type: 'project', require: { 'spiral/roadrunner-http': '^3' } })).toBe('long-lived');
    // No type is composer's "library", but an app that requires a framework is an application.
    expect(httpRuntimeOf({ require: { 'laravel/framework': '^10.0' } })).toBe('per-request');
    expect(httpRuntimeOf({ require: { 'guzzlehttp/guzzle': '^7' } })).toBeNull();
    expect(httpRuntimeOf({ type: 'library', require: { 'illuminate/support': '^11' } })).toBeNull();
    expect(httpRuntimeOf(null)).toBeNull();
  });

  it('takes httpRuntime from phpleak.json over composer.json, and names the key of a bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phpleak-http-'));
    expect(projectHttpRuntime(defaultConfig(dir))).toBeNull();
    writeFileSync(join(dir, 'composer.json'), JSON.stringify({ type: 'project', require: { 'laravel/framework': '^11.0' } }));
    expect(projectHttpRuntime(defaultConfig(dir))).toBe('per-request');
    expect(projectHttpRuntime({ ...defaultConfig(dir), ...parseConfig('{"httpRuntime": "long-lived"}', join(dir, 'phpleak.json'), rules) })).toBe('long-lived');
    writeFileSync(join(dir, 'composer.json'), '{ "type": "project", ');
    expect(projectHttpRuntime(defaultConfig(dir))).toBeNull();
    expect(readFileSync(join(dir, 'composer.json'), 'utf8')).toBe('{ "type": "project", ');
    expect(() => parseConfig('{"httpRuntime": "fpm"}', '/p/phpleak.json', rules)).toThrow(ConfigError);
    expect(() => parseConfig('{"httpRuntime": "fpm"}', '/p/phpleak.json', rules)).toThrow('httpRuntime: expected one of "per-request", "long-lived", got');
  });
});
