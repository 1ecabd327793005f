import { describe, expect, it } from 'vitest';
import type { HttpRuntime } from '../../engine/http-runtime.js';
import { enrich } from '../../engine/project-index.js';
import { ruleById } from '../helpers/lint.js';
import { indexFiles } from '../helpers/project.js';

// Under PHP-FPM a service that only controllers reach (autowired into their constructors or
// actions, looked up by them in the container, or held by another such service) lives for one
// request: its instance cache goes with the response (engine/project-lifetimes.ts
// `requestOnly`). One reach from other code (a queued job's `handle(Registry $r)`, a command
// holding it, a lookup outside a class) keeps the finding, as does an app server runtime.

const rules = [{ rule: ruleById.get('unbounded-cache')! }];
const metas = new Map([...ruleById].map(([id, r]) => [id, r.meta]));

const REGISTRY = `<?php

namespace App\\Reports;

class LayoutRegistry
{
    private array $layouts = [];

    public function get(string $slug): ?array
    {
        if (!array_key_exists($slug, $this->layouts)) {
            $this->layouts[$slug] = $this->load($slug);
        }
        return $this->layouts[$slug];
    }

    private function load(string $slug): ?array
    {
        $file = __DIR__ . '/layouts/' . basename($slug) . '.json';
        return is_file($file) ? json_decode((string) file_get_contents($file), true) : null;
    }
}
`;
const REPORTS = `<?php

namespace App\\Reports;

class Reports
{
    public function __construct(private LayoutRegistry $layouts)
    {
    }

    public function layoutFor(string $slug): ?array
    {
        return $this->layouts->get($slug);
    }
}
`;
const SHOW = `<?php

namespace App\\Http\\Controllers;

use App\\Reports\\LayoutRegistry;
use Illuminate\\Http\\Request;

class ShowReport
{
    private ?array $layout;

    public function __construct(Request $request, LayoutRegistry $layouts)
    {
        $this->layout = $layouts->get((string) $request->route('slug'));
    }
}
`;
const EXPORT = `<?php

namespace App\\Http\\Controllers;

use App\\Reports\\Reports;

class ExportController extends Controller
{
    public function show(string $slug)
    {
        return response()->json(app(Reports::class)->layoutFor($slug));
    }
}
`;
const JOB = `<?php

namespace App\\Jobs;

use App\\Reports\\LayoutRegistry;
use Illuminate\\Contracts\\Queue\\ShouldQueue;

class RenderReport implements ShouldQueue
{
    public function __construct(private string $slug)
    {
    }

    public function handle(LayoutRegistry $layouts): void
    {
        $layouts->get($this->slug);
    }
}
`;

function after(files: Record<string, string>, runtime: HttpRuntime | null, path = 'app/Reports/LayoutRegistry.php'): number[] {
  const { index, found } = indexFiles(files, rules, runtime);
  return enrich(path, found.get(path)!, index, { rules: metas }).map((f) => f.range.start.line);
}

const APP = {
  'app/Reports/LayoutRegistry.php': REGISTRY, 'app/Reports/Reports.php': REPORTS,
  'app/Http/Controllers/ShowReport.php': SHOW, 'app/Http/Controllers/ExportController.php': EXPORT,
};

describe('services only request code reaches, under PHP-FPM', () => {
  it('drops the instance cache of a registry that controllers take, look up, or reach through another service', () => {
    expect(after(APP, 'per-request')).toEqual([]);
  });

  it('keeps it under an application server or an unknown runtime', () => {
    expect(after(APP, 'long-lived')).toEqual([12]);
    expect(after(APP, null)).toEqual([12]);
  });

  it('keeps it when a queued job takes one as a parameter, or a script looks one up', () => {
    expect(after({ ...APP, 'app/Jobs/RenderReport.php': JOB }, 'per-request')).toEqual([12]);
    const script = "<?php\nuse App\\Reports\\Reports;\n\nforeach ($argv as $slug) {\n    app(Reports::class)->layoutFor($slug);\n}\n";
    expect(after({ ...APP, 'scripts/warm.php': script }, 'per-request')).toEqual([12]);
  });

  it('keeps it when a job takes the contract that bind() maps to the registry', () => {
    const provider = "<?php\nnamespace App\\Providers;\n\nuse App\\Reports\\LayoutRegistry;\nuse App\\Reports\\Layouts;\n\nclass ReportServiceProvider\n{\n    public function register(): void\n    {\n        $this->app->bind(Layouts::class, LayoutRegistry::class);\n    }\n}\n";
    const job = JOB.replace('use App\\Reports\\LayoutRegistry;', 'use App\\Reports\\Layouts;').replace('handle(LayoutRegistry $layouts)', 'handle(Layouts $layouts)');
    expect(job).toContain('handle(Layouts $layouts)');
    expect(after({ ...APP, 'app/Providers/ReportServiceProvider.php': provider }, 'per-request')).toEqual([]);
    expect(after({ ...APP, 'app/Providers/ReportServiceProvider.php': provider, 'app/Jobs/RenderReport.php': job }, 'per-request')).toEqual([12]);
  });

  it('keeps it when nothing the project sees uses the registry', () => {
    expect(after({ 'app/Reports/LayoutRegistry.php': REGISTRY }, 'per-request')).toEqual([12]);
  });
});
