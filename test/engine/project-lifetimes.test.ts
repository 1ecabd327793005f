import { describe, expect, it } from 'vitest';
import { lintTextDetailed } from '../../engine/lint.js';
import { enrich, ProjectIndex } from '../../engine/project-index.js';
import { allIds, ruleById } from '../helpers/lint.js';
import { indexFiles } from '../helpers/project.js';

// Cross-file instantiation facts (engine/facts/instantiations.ts, engine/project-lifetimes.ts):
// an instance cache of a class that every caller makes for one call and drops is not reported;
// one instance kept anywhere (a property, a container, a subclass kept, a typed holder) keeps it.

const rules = [{ rule: ruleById.get('unbounded-cache')! }];
const metas = new Map([...ruleById].map(([id, r]) => [id, r.meta]));

const ENRICHER = `<?php
namespace App\\Support;

final class LinkEnricher
{
    private array $previews = [];

    public function previewOf(string $url): array
    {
        return $this->previews[$url] ??= $this->fetch($url);
    }

    private function fetch(string $url): array { return ['url' => $url]; }
}
`;
const controller = (name: string, body: string): string => `<?php
namespace App\\Http\\Controllers;

use App\\Support\\LinkEnricher;

final class ${name}
{
${body}
}
`;
const SHOW = controller('ShowInvoiceController', `    public function __invoke(array $invoice): array
    {
        $enricher = new LinkEnricher();
        $invoice['preview'] = $enricher->previewOf($invoice['link']);

        return $invoice;
    }`);
const LIST = controller('ListInvoicesController', `    public function __invoke(array $invoices): array
    {
        return array_map(fn (array $i) => (new LinkEnricher())->previewOf($i['link']), $invoices);
    }`);
const FACTORY = controller('EnricherFactory', `    public function make(): LinkEnricher
    {
        $enricher = new LinkEnricher();

        return $enricher;
    }`);

/** The (line, severity) of the enricher's findings after the cross-file pass over `files`. */
function enriched(files: Record<string, string>): [number, string][] {
  const { index, found } = indexFiles(files, rules);
  const path = 'src/Support/LinkEnricher.php';
  return enrich(path, found.get(path)!, index, { rules: metas }).map((f) => [f.range.start.line, f.severity]);
}

describe('classes made for one operation (project index)', () => {
  const base = { 'src/Support/LinkEnricher.php': ENRICHER };
  it('reports the cache alone, and drops it when every caller makes the object locally and drops it', () => {
    expect(enriched(base)).toEqual([[10, 'warning']]);
    expect(enriched({ ...base, 'src/Http/Controllers/ShowInvoiceController.php': SHOW, 'src/Http/Controllers/ListInvoicesController.php': LIST })).toEqual([]);
  });
  it('counts an instance handed back by an instance method as the caller\'s local', () => {
    expect(enriched({ ...base, 'src/Http/Controllers/EnricherFactory.php': FACTORY })).toEqual([]);
  });
  it('keeps the finding when one instance is stored in a property, a static or a script variable', () => {
    const stored = controller('BillingService', '    private LinkEnricher $enricher;\n\n    public function __construct() { $this->enricher = new LinkEnricher(); }');
    expect(enriched({ ...base, 'src/Http/Controllers/ShowInvoiceController.php': SHOW, 'src/BillingService.php': stored })).toEqual([[10, 'warning']]);
    const staticHolder = controller('Enrichers', '    private static $one;\n\n    public static function one() { return self::$one ??= new LinkEnricher(); }');
    expect(enriched({ ...base, 'src/Http/Controllers/ShowInvoiceController.php': SHOW, 'src/Enrichers.php': staticHolder })).toEqual([[10, 'warning']]);
    const script = '<?php\n$enricher = new App\\Support\\LinkEnricher();\nforeach ($argv as $ref) { $enricher->previewOf($ref); }\n';
    expect(enriched({ ...base, 'src/Http/Controllers/ShowInvoiceController.php': SHOW, 'console.php': script })).toEqual([[10, 'warning']]);
  });
  it('keeps it when an instance goes to code not followed: a parameter\'s object, a container, a closure, a named constructor', () => {
    const toParam = controller('Attach', '    public function attach(\\ArrayObject $registry): void { $registry->append(new LinkEnricher()); }');
    const container = controller('Provider', '    public function register($app): void { $app->singleton(LinkEnricher::class); }');
    const closure = controller('Binder', '    public function register($app): void { $app->bind(\'enricher\', fn () => new LinkEnricher()); }');
    for (const extra of [toParam, container, closure]) {
      expect(enriched({ ...base, 'src/Http/Controllers/ShowInvoiceController.php': SHOW, 'src/Extra.php': extra })).toEqual([[10, 'warning']]);
    }
  });
  it('keeps it when a constructor parameter or typed property of another class may hold one', () => {
    const injected = controller('ReportService', '    public function __construct(private LinkEnricher $enricher) {}');
    expect(enriched({ ...base, 'src/Http/Controllers/EnricherFactory.php': FACTORY, 'src/ReportService.php': injected })).toEqual([[10, 'warning']]);
  });
  it('keeps it when a subclass is stored, and drops it when subclasses too are made per call', () => {
    const open = ENRICHER.replace('final class', 'class');
    const sub = '<?php\nnamespace App\\Support;\nfinal class CachedLinkEnricher extends LinkEnricher {}\n';
    const keepsSub = '<?php\nnamespace App;\nfinal class Kernel { private $e; function boot() { $this->e = new Support\\CachedLinkEnricher(); } }\n';
    const makesSub = '<?php\nnamespace App;\nfinal class Report { function run() { $e = new Support\\CachedLinkEnricher(); return $e->previewOf(\'x\'); } }\n';
    const files = { 'src/Support/LinkEnricher.php': open, 'src/Support/CachedLinkEnricher.php': sub, 'src/Http/Controllers/ShowInvoiceController.php': SHOW };
    expect(enriched({ ...files, 'src/Kernel.php': keepsSub })).toEqual([[10, 'warning']]);
    expect(enriched({ ...files, 'src/Report.php': makesSub })).toEqual([]);
  });
  it('ignores the instances tests make', () => {
    const test = '<?php\nnamespace Tests;\nfinal class LinkEnricherTest { function testIt() { $e = new \\App\\Support\\LinkEnricher(); $e->previewOf(\'x\'); } }\n';
    expect(enriched({ ...base, 'tests/LinkEnricherTest.php': test })).toEqual([[10, 'warning']]);
  });
  it('never drops a service by shape, whatever its callers do', () => {
    const named = ENRICHER.replace(/LinkEnricher/g, 'InvoiceRegistry');
    const index = new ProjectIndex();
    const r = lintTextDetailed({ path: 'src/Support/InvoiceRegistry.php', text: named, rules, knownRuleIds: allIds, summary: true });
    index.set(r.summary!);
    index.set(lintTextDetailed({ path: 'src/A.php', text: SHOW.replace(/LinkEnricher/g, 'InvoiceRegistry'), rules, knownRuleIds: allIds, summary: true }).summary!);
    expect(r.findings.map((f) => f.range.start.line)).toEqual([10]);
    expect(enrich('src/Support/InvoiceRegistry.php', r.findings, index, { rules: metas }).map((f) => f.range.start.line)).toEqual([10]);
  });
});
