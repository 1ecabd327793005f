import { describe, expect, it } from 'vitest';
import { lintTextDetailed } from '../../engine/lint.js';
import { enrich, ProjectIndex } from '../../engine/project-index.js';
import type { Finding } from '../../engine/types.js';
import { allIds, ruleById } from '../helpers/lint.js';
import { indexFiles } from '../helpers/project.js';

// A class kept only by objects of per-operation classes is per operation too
// (engine/project-lifetimes.ts): a mail's header bag lives in its parts and its envelope, which
// a controller makes per request; a sheet and its rows hold each other and die together. One
// holder that is a service, a static or a worker script keeps the whole chain.

const rules = [{ rule: ruleById.get('unbounded-cache')! }];
const metas = new Map([...ruleById].map(([id, r]) => [id, r.meta]));

const HEADER_BAG = `<?php

declare(strict_types=1);

namespace App\\Mail;

final class HeaderBag
{
    /** @var array<string, string> */
    private array $decoded = [];

    /** @param array<string, string> $raw */
    public function __construct(private array $raw = [])
    {
    }

    public function decode(string $encodedText): string
    {
        return $this->decoded[$encodedText] ??= (string) iconv_mime_decode($encodedText, 0, 'UTF-8');
    }

    public function subject(): string
    {
        return $this->decode($this->raw['subject'] ?? '');
    }
}
`;
// Untyped: only the creation sites say that a part keeps the header bag it is given.
const MIME_PART = `<?php

declare(strict_types=1);

namespace App\\Mail;

final class MimePart
{
    private $headers;

    public function __construct(private string $body, $headers = null)
    {
        $this->headers = $headers ?? new HeaderBag();
    }

    public function subject(): string
    {
        return $this->headers->subject();
    }
}
`;
const ENVELOPE = `<?php

declare(strict_types=1);

namespace App\\Mail;

final class Envelope
{
    /** @var list<MimePart> */
    private array $parts = [];
    private $headers;

    public function __construct(string $raw)
    {
        [$head, $body] = explode("\\r\\n\\r\\n", $raw, 2) + [1 => ''];
        $this->headers = new HeaderBag(['subject' => $head]);
        foreach (explode('--boundary', $body) as $chunk) {
            $this->parts[] = new MimePart($chunk, new HeaderBag(['subject' => strtok($chunk, "\\n")]));
        }
    }

    public function subject(): string
    {
        return $this->headers->subject();
    }

    public function partCount(): int
    {
        return count($this->parts);
    }
}
`;
const INBOX_CONTROLLER = `<?php

declare(strict_types=1);

namespace App\\Http\\Controllers;

use App\\Mail\\Envelope;

final class InboxController
{
    public function show(string $raw): array
    {
        $envelope = new Envelope($raw);

        return ['subject' => $envelope->subject(), 'parts' => $envelope->partCount()];
    }
}
`;
const SYNC_SERVICE = `<?php

declare(strict_types=1);

namespace App\\Mail;

final class MailboxSyncService
{
    private ?Envelope $lastSeen = null;

    public function sync(string $raw): void
    {
        $this->lastSeen = new Envelope($raw);
    }
}
`;
const WORKER = `<?php

require __DIR__.'/../vendor/autoload.php';

$sync = new App\\Mail\\MailboxSyncService();
while (true) {
    $job = $queue->pop();
    $sync->sync($job->raw);
}
`;

const ROW = `<?php

declare(strict_types=1);

namespace App\\Import;

final class Row
{
    /** @var array<string, string> */
    private array $normalized = [];

    /** @param list<string> $cells */
    public function __construct(private Sheet $sheet, private array $cells)
    {
    }

    public function normalize(string $rawValue): string
    {
        return $this->normalized[$rawValue] ??= $this->sheet->normalizer()($rawValue);
    }
}
`;
const SHEET = `<?php

declare(strict_types=1);

namespace App\\Import;

final class Sheet
{
    /** @var list<Row> */
    private array $rows = [];

    public function __construct(private string $locale)
    {
    }

    /** @param list<string> $cells */
    public function addRow(array $cells): Row
    {
        return $this->rows[] = new Row($this, $cells);
    }

    public function normalizer(): callable
    {
        return fn (string $v): string => trim(mb_strtolower($v, 'UTF-8'));
    }
}
`;
const importController = (keep: string): string => `<?php

declare(strict_types=1);

namespace App\\Http\\Controllers;

use App\\Import\\LastImport;
use App\\Import\\Sheet;

final class ImportController
{
    public function store(string $path): int
    {
        $sheet = new Sheet('en');
        foreach (file($path) ?: [] as $line) {
            $sheet->addRow(str_getcsv($line));
        }${keep}

        return 1;
    }
}
`;
const LAST_IMPORT = `<?php

declare(strict_types=1);

namespace App\\Import;

final class LastImport
{
    public static ?Sheet $sheet = null;
}
`;

/** Lints `files` into one index; returns it with the findings of each file. */
function build(files: Record<string, string>): { index: ProjectIndex; found: Map<string, Finding[]> } {
  return indexFiles(files, rules);
}

/** The (line, severity) of the findings of `path` after the cross-file pass. */
function after(index: ProjectIndex, found: Map<string, Finding[]>, path: string): [number, string][] {
  return enrich(path, found.get(path)!, index, { rules: metas }).map((f) => [f.range.start.line, f.severity]);
}

const MAIL = {
  'src/Mail/HeaderBag.php': HEADER_BAG, 'src/Mail/MimePart.php': MIME_PART, 'src/Mail/Envelope.php': ENVELOPE,
  'src/Http/Controllers/InboxController.php': INBOX_CONTROLLER,
};
const BAG = 'src/Mail/HeaderBag.php';

describe('classes kept only by per-operation holders', () => {
  it('says which classes keep an instance stored in a property or built into another object', () => {
    const { index } = build({ 'src/Mail/Envelope.php': ENVELOPE });
    expect(index.get('src/Mail/Envelope.php')!.creates).toEqual([
      { cls: 'App\\Mail\\HeaderBag', kept: false, by: ['App\\Mail\\Envelope'] },
      { cls: 'App\\Mail\\MimePart', kept: false, by: ['App\\Mail\\Envelope'] },
      // Built into a part that the envelope stores: it lives as long as either.
      { cls: 'App\\Mail\\HeaderBag', kept: false, by: ['App\\Mail\\Envelope', 'App\\Mail\\MimePart'] },
    ]);
    const factory = '<?php\nnamespace App\\Mail;\nfinal class PartFactory\n{\n    public function make(string $chunk): MimePart\n    {\n        return new MimePart($chunk, new HeaderBag());\n    }\n}\n';
    const named = factory.replace('public function', 'public static function');
    expect(build({ 'src/Mail/PartFactory.php': factory }).index.get('src/Mail/PartFactory.php')!.creates).toEqual([
      { cls: 'App\\Mail\\MimePart', kept: false },
      { cls: 'App\\Mail\\HeaderBag', kept: false, by: ['App\\Mail\\MimePart'] },
    ]);
    // A named constructor's callers are not seen: the part and so the bag built into it may be kept.
    expect(build({ 'src/Mail/PartFactory.php': named }).index.get('src/Mail/PartFactory.php')!.creates).toEqual([
      { cls: 'App\\Mail\\MimePart', kept: true },
      { cls: 'App\\Mail\\HeaderBag', kept: true },
    ]);
  });

  it('drops the header bag\'s cache when its parts and envelope are made per request', () => {
    const alone = build({ [BAG]: HEADER_BAG });
    expect(after(alone.index, alone.found, BAG)).toEqual([[19, 'warning']]);
    const { index, found } = build(MAIL);
    expect(after(index, found, BAG)).toEqual([]);
    expect([index.perOperation('App\\Mail\\MimePart'), index.perOperation('App\\Mail\\Envelope')]).toEqual([true, true]);
  });

  it('keeps it when the outermost holder is never made by the project (a container may build and keep it)', () => {
    const { [('src/Http/Controllers/InboxController.php')]: _, ...unmade } = MAIL;
    const { index, found } = build(unmade);
    expect(after(index, found, BAG)).toEqual([[19, 'warning']]);
  });

  it('keeps it when a service holds the envelope, and names the chain up to the worker script that keeps the service', () => {
    const held = build({ ...MAIL, 'src/Mail/MailboxSyncService.php': SYNC_SERVICE });
    expect(after(held.index, held.found, BAG)).toEqual([[19, 'warning']]);
    const { index, found } = build({ ...MAIL, 'src/Mail/MailboxSyncService.php': SYNC_SERVICE, 'bin/mail-worker.php': WORKER });
    const [f] = enrich(BAG, found.get(BAG)!, index, { rules: metas });
    expect(f!.severity).toBe('error');
    expect(f!.details).toContain('`HeaderBag` is kept alive by `Envelope` (src/Mail/Envelope.php:16), held by `MailboxSyncService` (src/Mail/MailboxSyncService.php:9), held by bin/mail-worker.php, a worker loop around `pop()` (line 6), which does not end after one request');
  });

  it('keeps it when a script keeps an envelope in its own variable', () => {
    const script = '<?php\n\n$envelope = new App\\Mail\\Envelope((string) file_get_contents(\'php://stdin\'));\necho $envelope->subject(), PHP_EOL;\n';
    const { index, found } = build({ ...MAIL, 'bin/show-mail.php': script });
    expect(after(index, found, BAG)).toEqual([[19, 'warning']]);
    expect([index.perOperation('App\\Mail\\MimePart'), index.perOperation('App\\Mail\\Envelope')]).toEqual([false, false]);
  });

  it('follows the index file by file: removing the service drops the finding again, adding it back keeps it', () => {
    const { index, found } = build({ ...MAIL, 'src/Mail/MailboxSyncService.php': SYNC_SERVICE });
    expect(after(index, found, BAG)).toEqual([[19, 'warning']]);
    index.delete('src/Mail/MailboxSyncService.php');
    expect(after(index, found, BAG)).toEqual([]);
    index.set(lintTextDetailed({ path: 'src/Mail/MailboxSyncService.php', text: SYNC_SERVICE, rules, knownRuleIds: allIds, summary: true }).summary!);
    expect(after(index, found, BAG)).toEqual([[19, 'warning']]);
  });

  it('drops the cache of a row when the row and its sheet only hold each other and the sheet is made per request', () => {
    const files = { 'src/Import/Row.php': ROW, 'src/Import/Sheet.php': SHEET };
    const alone = build(files);
    expect(after(alone.index, alone.found, 'src/Import/Row.php')).toEqual([[19, 'warning']]);
    const { index, found } = build({ ...files, 'src/Http/Controllers/ImportController.php': importController('') });
    expect(after(index, found, 'src/Import/Row.php')).toEqual([]);
    expect(index.perOperation('App\\Import\\Sheet')).toBe(true);
  });

  it('keeps the row\'s cache when a static keeps the sheet', () => {
    const { index, found } = build({
      'src/Import/Row.php': ROW, 'src/Import/Sheet.php': SHEET, 'src/Import/LastImport.php': LAST_IMPORT,
      'src/Http/Controllers/ImportController.php': importController('\n        LastImport::$sheet = $sheet;'),
    });
    expect(after(index, found, 'src/Import/Row.php')).toEqual([[19, 'warning']]);
    expect([index.perOperation('App\\Import\\Sheet'), index.perOperation('App\\Import\\Row')]).toEqual([false, false]);
    // Asked of a fresh index about the sheet first: the same answer.
    const fresh = build({
      'src/Import/Row.php': ROW, 'src/Import/Sheet.php': SHEET, 'src/Import/LastImport.php': LAST_IMPORT,
      'src/Http/Controllers/ImportController.php': importController('\n        LastImport::$sheet = $sheet;'),
    }).index;
    expect([fresh.perOperation('App\\Import\\Sheet'), fresh.perOperation('App\\Import\\Row')]).toEqual([false, false]);
  });
});
