import { describe, expect, it } from 'vitest';
import { lintTextDetailed } from '../../engine/lint.js';
import { enrich, ProjectIndex, type FileSummary } from '../../engine/project-index.js';
import type { Finding } from '../../engine/types.js';
import { AUDIT_CONTROLLER, AUDIT_LOG, auditSetup, CASE_CONVERTER, FRAGMENT_CACHE, LINE_FILTERS, lineBuffer, modelUsing, transportUsing } from '../helpers/callers.js';
import { allIds, ruleById } from '../helpers/lint.js';

// A cache whose only evidence of data is "`$value` of a public method" grows with what the
// callers pass: the file summaries classify each call's arguments, and enrich drops the finding
// when every call of the project passes code (engine/project-callers.ts).

const rules = [{ rule: ruleById.get('unbounded-cache')! }];
const metas = new Map([...ruleById].map(([id, r]) => [id, r.meta]));
const lint = (path: string, text: string): { findings: Finding[]; summary: FileSummary } => {
  const r = lintTextDetailed({ path, text, rules, knownRuleIds: allIds, summary: true });
  return { findings: r.findings, summary: r.summary! };
};

/** The findings of `target` after the cross-file pass over `files`. */
function run(target: string, files: [string, string][]): Finding[] {
  const index = new ProjectIndex();
  const results = new Map<string, Finding[]>();
  for (const [p, t] of files) { const r = lint(p, t); index.set(r.summary); results.set(p, r.findings); }
  return enrich(target, results.get(target)!, index, { rules: metas });
}

const LOG = 'src/Audit/AuditLog.php';
const SETUP = 'src/Audit/AuditSubscriber.php';
const CONTROLLER = 'src/Http/Controllers/AuditSettingsController.php';
const CLASSES = '        AuditLog::ignore(CacheHit::class);\n        AuditLog::ignore(QueryExecuted::class);';
const shape = (fs: Finding[]) => fs.map((f) => [f.range.start.line, f.range.start.column, f.message]);
const APPEND = [10, 8, '`self::$ignored` grows per call, never evicted: appends `$value` of the public `AuditLog::ignore()`'];

describe('call arguments in file summaries', () => {
  it('records, per called method, the sites and the positions some site leaves to data', () => {
    const s = lint(SETUP, auditSetup(`${CLASSES}\n        AuditLog::ignore(self::NOISY, $this->next());\n        $this->log->ignore($name, ...$rest);`)).summary;
    expect(s.arguments).toEqual([
      { call: '->ignore', sites: 1, reach: 16, open: [], openFrom: 1 },
      { call: '->next', sites: 1, reach: 0, open: [] },
      { call: 'app\\audit\\auditlog::ignore', sites: 3, reach: 2, open: [1] },
    ]);
  });
  it('keeps where a site passes data by evidence, for a related location', () => {
    const s = lint(CONTROLLER, AUDIT_CONTROLLER).summary;
    expect(s.arguments?.filter((a) => a.call !== '->input')).toEqual([{
      call: 'app\\audit\\auditlog::ignore', sites: 1, reach: 1, open: [0],
      data: [{ index: 0, range: expect.objectContaining({ start: expect.objectContaining({ line: 11, column: 25 }) }), why: 'request input (`$request->input()`)' }],
    }]);
  });
  it('takes start-up code and a call under the class\'s own has() on code as code, whatever the other arguments', () => {
    const boot = lint('src/Providers/AuditProvider.php', auditSetup('').replace('function subscribe', 'function boot').replace('\n\n    }', '\n        AuditLog::ignore($this->config[\'event\']);\n    }')).summary;
    expect(boot.arguments).toEqual([{ call: 'app\\audit\\auditlog::ignore', sites: 1, reach: 1, open: [] }]);
    // A closure that start-up code registers runs later, once per event.
    const listener = lint('src/Providers/AuditProvider.php', auditSetup('        $this->events->listen(\'*\', fn ($event) => AuditLog::ignore($event->label()));').replace('function subscribe', 'function boot')).summary;
    expect(listener.arguments?.find((a) => a.call.endsWith('::ignore'))).toEqual({ call: 'app\\audit\\auditlog::ignore', sites: 1, reach: 1, open: [0] });
    const guarded = auditSetup(`        if (!AuditLog::isIgnored(CacheHit::class)) {\n            AuditLog::ignore(CacheHit::class, $this->next());\n        }\n        if (AuditLog::isIgnored($this->event)) {\n            return;\n        }\n        AuditLog::ignore($this->event, $this->next());`);
    expect(lint(SETUP, guarded).summary.arguments?.find((a) => a.call.endsWith('::ignore'))).toEqual({ call: 'app\\audit\\auditlog::ignore', sites: 2, reach: 2, open: [1] });
  });
  it('records nothing for a test file', () => {
    expect(lint('tests/AuditTest.php', AUDIT_CONTROLLER).summary.arguments).toEqual([]);
  });
});

describe('a registry decided by its callers', () => {
  it('is reported with the parameter its evidence rests on', () => {
    const own = lint(LOG, AUDIT_LOG).findings;
    expect(shape(own)).toEqual([APPEND]);
    expect(own[0]!.callerArguments).toEqual([{ calls: ['app\\audit\\auditlog::ignore'], index: 0, required: true }]);
  });
  it('is dropped when every caller passes a class name or a constant', () => {
    expect(run(LOG, [[LOG, AUDIT_LOG], [SETUP, auditSetup(`${CLASSES}\n        AuditLog::ignore(self::NOISY);`)]])).toEqual([]);
  });
  it('stays when one caller passes request input, and names that caller', () => {
    const out = run(LOG, [[LOG, AUDIT_LOG], [SETUP, auditSetup(CLASSES)], [CONTROLLER, AUDIT_CONTROLLER]]);
    expect(shape(out)).toEqual([APPEND]);
    expect(out[0]!.related.at(-1)).toEqual({ path: CONTROLLER, range: expect.objectContaining({ start: expect.objectContaining({ line: 11 }) }), message: 'called here with request input (`$request->input()`)' });
  });
  it('stays when a caller passes a value phpleak cannot place, without naming it', () => {
    const out = run(LOG, [[LOG, AUDIT_LOG], [SETUP, auditSetup(`${CLASSES}\n        AuditLog::ignore($this->next());`)]]);
    expect(shape(out)).toEqual([APPEND]);
    expect(out[0]!.related.map((r) => r.message)).toEqual(['declared here']);
  });
  it('stays when the callers are unseen: the class alone, only tests, only its own file', () => {
    expect(shape(run(LOG, [[LOG, AUDIT_LOG]]))).toEqual([APPEND]);
    expect(shape(run(LOG, [[LOG, AUDIT_LOG], ['tests/AuditTest.php', auditSetup(CLASSES)]]))).toEqual([APPEND]);
    const selfCalling = AUDIT_LOG.replace('    public static function record', '    public static function mute(): void\n    {\n        self::ignore(\'x\');\n    }\n\n    public static function record');
    expect(shape(run(LOG, [[LOG, selfCalling], [CONTROLLER, '<?php\nfinal class Other {}\n']]))).toEqual([APPEND]);
  });
  it('follows the index as a caller changes (LSP)', () => {
    const index = new ProjectIndex();
    const own = lint(LOG, AUDIT_LOG);
    index.set(own.summary);
    index.set(lint(SETUP, auditSetup(CLASSES)).summary);
    expect(enrich(LOG, own.findings, index, { rules: metas })).toEqual([]);
    index.set(lint(CONTROLLER, AUDIT_CONTROLLER).summary);
    expect(enrich(LOG, own.findings, index, { rules: metas })).toHaveLength(1);
    index.delete(CONTROLLER);
    expect(enrich(LOG, own.findings, index, { rules: metas })).toEqual([]);
  });
});

describe('a memo decided by its callers', () => {
  const MEMO = 'src/Support/CaseConverter.php';
  const MODEL = 'src/Models/Record.php';
  const KEYED = [10, 15, '`self::$snakeCache` grows per key, never evicted: keyed by `$value` of the public `CaseConverter::snake()`'];
  it('is dropped when its callers pass attribute and column names and literals', () => {
    expect(run(MEMO, [[MEMO, CASE_CONVERTER], [MODEL, modelUsing()]])).toEqual([]);
  });
  it('stays when a caller hands on a value of its own public API, or the memo is linted alone', () => {
    const open = modelUsing('\n    public function whereValue(string $value): string\n    {\n        return CaseConverter::snake($value);\n    }\n');
    const out = run(MEMO, [[MEMO, CASE_CONVERTER], [MODEL, open]]);
    expect(shape(out)).toEqual([KEYED]);
    expect(out[0]!.related.at(-1)?.message).toBe('called here with `$value` of the public `Record::whereValue()`');
    expect(shape(run(MEMO, [[MEMO, CASE_CONVERTER]]))).toEqual([KEYED]);
  });
});

describe('an instance method, called on objects phpleak does not type', () => {
  const CACHE_FILE = 'src/View/FragmentCache.php';
  const LAYOUT = 'src/View/Layout.php';
  const layout = (body: string): string => `<?php\nnamespace App\\View;\n\nfinal class Layout\n{\n    public function render(FragmentCache $fragments, \\ArrayObject $list): void\n    {\n${body}\n    }\n}\n`;
  const APPENDED = [[10, 8, '`$this->fragments` grows per call, never evicted: appends `$html` of the public `FragmentCache::append()`']];
  it('is decided by `->append()` calls that pass the fragment\'s position', () => {
    const own = lint(CACHE_FILE, FRAGMENT_CACHE).findings;
    expect(own[0]!.callerArguments).toEqual([{ calls: ['app\\view\\fragmentcache::append', '->append'], index: 1, required: true }]);
    expect(run(CACHE_FILE, [[CACHE_FILE, FRAGMENT_CACHE], [LAYOUT, layout("        $fragments->append('head', '<meta charset=\"utf-8\">');")]])).toEqual([]);
    expect(shape(run(CACHE_FILE, [[CACHE_FILE, FRAGMENT_CACHE], [LAYOUT, layout("        $fragments->append('head', $this->title());")]]))).toEqual(APPENDED);
    // On an untyped object a local is followed only when its name says code: one given a literal stays open.
    expect(shape(run(CACHE_FILE, [[CACHE_FILE, FRAGMENT_CACHE], [LAYOUT, layout("        $meta = '<meta charset=\"utf-8\">';\n        $fragments->append('head', $meta);")]]))).toEqual(APPENDED);
    expect(run(CACHE_FILE, [[CACHE_FILE, FRAGMENT_CACHE], [LAYOUT, layout("        $section = 'head';\n        $fragments->append($section, self::META);")]])).toEqual([]);
  });
  it('does not take a call that stops short of the required parameter for a caller: it is another method by that name', () => {
    expect(shape(run(CACHE_FILE, [[CACHE_FILE, FRAGMENT_CACHE], [LAYOUT, layout("        $list->append('head');")]]))).toEqual(APPENDED);
  });
});

describe('callers phpleak cannot see, and parameters that are not all the evidence', () => {
  it('keeps the finding when the method is handed over as a callable anywhere (array_map, a string): its arguments are unseen', () => {
    for (const callable of ['[AuditLog::class, \'ignore\']', '\'App\\Audit\\AuditLog::ignore\'', 'AuditLog::ignore(...)']) {
      const mapper = auditSetup(`${CLASSES}\n        array_map(${callable}, $this->names());`);
      expect(shape(run(LOG, [[LOG, AUDIT_LOG], [SETUP, mapper]]))).toEqual([APPEND]);
    }
  });
  it('does not let callers decide a parameter the method replaces with data (`$ip ??= …` from the request)', () => {
    const locator = `<?php
namespace App\\Geo;

final class Locator
{
    public function __construct(private \\Symfony\\Component\\HttpFoundation\\RequestStack $requests) {}

    public function locate(?string $ip = null): array
    {
        static $places = [];
        $ip ??= $this->requests->getCurrentRequest()->getClientIp();
        return $places[$ip] ??= $this->lookup($ip);
    }

    private function lookup(string $ip): array { return ['ip' => $ip]; }
}
`;
    const own = lint('src/Geo/Locator.php', locator).findings;
    expect(own.map((f) => f.message)).toEqual(['`static $places` grows per key, never evicted: keyed by `$ip` of the public `Locator::locate()`']);
    expect(own[0]!.callerArguments).toBeUndefined();
  });
});

describe('a site that hands on its own method\'s parameter: that method\'s callers decide', () => {
  const FACTORY = 'src/Mail/Stream/LineFilterFactory.php';
  const BUFFER = 'src/Mail/Stream/LineBuffer.php';
  const SMTP = 'src/Mail/Transport/SmtpTransport.php';
  const SENDMAIL = 'src/Mail/Transport/SendmailTransport.php';
  const IMPORT = 'src/Mail/Transport/ImportTransport.php';
  const PREVIEW = 'src/Http/Controllers/MailPreviewController.php';
  const SETUP = 'src/Mail/Setup/LineEndings.php';
  const KEYED = [[10, 15, '`$this->filters` grows per key, never evicted: keyed by `$search` of the public `LineFilterFactory::filterFor()`']];
  const smtp = transportUsing('SmtpTransport', '        $this->buffer->translate(["\\r\\n." => "\\r\\n.."]);');
  const sendmail = transportUsing('SendmailTransport', "        if ($mode === 'bs') {\n            $this->buffer->translate([\"\\r\\n\" => \"\\n\"]);\n        } else {\n            $this->buffer->translate(self::ENDINGS);\n        }").replace('{\n    public function __construct', '{\n    private const ENDINGS = ["\\n." => "\\n.."];\n\n    public function __construct');
  it('records the parameter a site hands on, by key of a `foreach` over it', () => {
    const s = lint(BUFFER, lineBuffer()).summary;
    expect(s.arguments?.find((a) => a.call === '->filterfor')).toEqual({
      call: '->filterfor', sites: 1, reach: 2, open: [],
      passedOn: [
        { index: 0, to: { calls: ['app\\mail\\stream\\linebuffer::translate', '->translate'], index: 0, required: true }, range: expect.objectContaining({ start: expect.objectContaining({ line: 18, column: 65 }) }) },
        { index: 1, to: { calls: ['app\\mail\\stream\\linebuffer::translate', '->translate'], index: 0, required: true }, range: expect.objectContaining({ start: expect.objectContaining({ line: 18, column: 74 }) }) },
      ],
    });
  });
  it('is dropped when the callers of the method handing it on pass fixed maps of line endings', () => {
    expect(shape(run(FACTORY, [[FACTORY, LINE_FILTERS]]))).toEqual(KEYED);
    expect(shape(run(FACTORY, [[FACTORY, LINE_FILTERS], [BUFFER, lineBuffer()]]))).toEqual(KEYED);
    expect(run(FACTORY, [[FACTORY, LINE_FILTERS], [BUFFER, lineBuffer()], [SMTP, smtp], [SENDMAIL, sendmail]])).toEqual([]);
  });
  it('stays when one caller further out passes data, and names that caller', () => {
    const importer = `<?php
namespace App\\Http\\Controllers;

use App\\Mail\\Stream\\LineBuffer;
use Illuminate\\Http\\Request;

final class MailPreviewController
{
    public function __construct(private LineBuffer $buffer) {}

    public function preview(Request $request): void
    {
        $this->buffer->translate($request->input('endings'));
    }
}
`;
    const out = run(FACTORY, [[FACTORY, LINE_FILTERS], [BUFFER, lineBuffer()], [SMTP, smtp], [PREVIEW, importer], [SENDMAIL, sendmail]]);
    expect(shape(out)).toEqual(KEYED);
    expect(out[0]!.related.at(-1)).toEqual({ path: PREVIEW, range: expect.objectContaining({ start: expect.objectContaining({ line: 13, column: 33 }) }), message: 'called here with request input (`$request->input()`)' });
  });
  it('stays when a caller further out passes a value phpleak cannot place, or rewrites the element before handing it on', () => {
    const open = transportUsing('ImportTransport', '        $this->buffer->translate($this->endings());');
    expect(shape(run(FACTORY, [[FACTORY, LINE_FILTERS], [BUFFER, lineBuffer()], [SMTP, smtp], [IMPORT, open]]))).toEqual(KEYED);
    const trimmed = lineBuffer().replace('            $this->active[$search] ??=', '            $search = trim($search);\n            $this->active[$search] ??=');
    expect(shape(run(FACTORY, [[FACTORY, LINE_FILTERS], [BUFFER, trimmed], [SMTP, smtp], [SENDMAIL, sendmail]]))).toEqual(KEYED);
  });
  it('follows two methods out, passes over recursion, and stops there', () => {
    // LineEndings::use() hands its parameter to translate(), which hands each key on: two methods out.
    const setup = (extra = ''): string => `<?php
namespace App\\Mail\\Setup;

use App\\Mail\\Stream\\LineBuffer;

final class LineEndings
{
    public function __construct(private LineBuffer $buffer) {}

    public function use(array $map, int $depth = 0): void
    {
        if ($depth < 2 && isset($map["\\n."])) {
            $this->use($map, $depth + 1);
        }
        $this->buffer->translate($map);
    }
${extra}}
`;
    const smtpUsing = (call: string): string => transportUsing('SmtpTransport', `        $this->endings->${call}(["\\r\\n." => "\\r\\n.."]);`).replace('private LineBuffer $buffer', 'private \\App\\Mail\\Setup\\LineEndings $endings');
    expect(run(FACTORY, [[FACTORY, LINE_FILTERS], [BUFFER, lineBuffer()], [SETUP, setup()], [SMTP, smtpUsing('use')]])).toEqual([]);
    // A third method out is not followed: its callers are not asked.
    const third = setup('\n    public function useFor(array $map): void\n    {\n        $this->use($map);\n    }\n');
    expect(shape(run(FACTORY, [[FACTORY, LINE_FILTERS], [BUFFER, lineBuffer()], [SETUP, third], [SMTP, smtpUsing('useFor')]]))).toEqual(KEYED);
  });
});
