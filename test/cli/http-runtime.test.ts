import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, writeFiles } from './helpers.js';

// The CLI reads the project's HTTP runtime from composer.json next to phpleak.json (or in the
// working directory): under PHP-FPM a middleware's per-request listener is gone with the
// request; with Octane required, or `"httpRuntime": "long-lived"` in phpleak.json, it is reported.

const MIDDLEWARE = `<?php
namespace App\\Http\\Middleware;

use Closure;
use Illuminate\\Support\\Facades\\Event;

class TrackJobs
{
    private int $seen = 0;

    public function handle($request, Closure $next)
    {
        Event::listen('job.done', function () {
            $this->seen++;
        });
        return $next($request);
    }
}
`;

const laravelApp = (extra: Record<string, string> = {}) => JSON.stringify({ type: 'project', require: { php: '^8.2', 'laravel/framework': '^11.0', ...extra } });

describe('the HTTP runtime from composer.json', () => {
  it('is silent on request-only code of a PHP-FPM application, and reports it under Octane or when configured long-lived', () => {
    const dir = makeProject({ 'composer.json': laravelApp(), 'app/Http/Middleware/TrackJobs.php': MIDDLEWARE });
    const fpm = phpleak(['--format', 'json', '--no-cache', 'app'], { cwd: dir });
    expect(fpm.code).toBe(0);
    expect(JSON.parse(fpm.stdout).files).toEqual([]);

    writeFiles(dir, { 'composer.json': laravelApp({ 'laravel/octane': '^2.0' }) });
    const octane = phpleak(['--format', 'json', '--no-cache', 'app'], { cwd: dir });
    expect(octane.code).toBe(1);
    expect(JSON.parse(octane.stdout).files.flatMap((f: { findings: { line: number; ruleId: string }[] }) => f.findings.map((d) => `${d.line} ${d.ruleId}`))).toEqual(['13 listener-in-loop']);

    writeFiles(dir, { 'composer.json': laravelApp(), 'phpleak.json': '{ "httpRuntime": "long-lived" }' });
    const configured = phpleak(['--format', 'json', '--no-cache', 'app'], { cwd: dir });
    expect(configured.code).toBe(1);
  });

  it('names the file, the key and what was expected for a bad httpRuntime', () => {
    const dir = makeProject({ 'phpleak.json': '{ "httpRuntime": "fpm" }', 'app/a.php': '<?php\n' });
    const r = phpleak(['app'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('phpleak.json');
    expect(r.stderr).toContain('httpRuntime: expected one of "per-request", "long-lived", got "fpm"');
  });
});
