// Classes whose unbounded-cache finding rests only on "a public method's parameter", and the
// callers that decide it across files (engine/project-callers.ts; engine and CLI tests).

/** A static list of event classes the audit log skips: appended per call with what `ignore()` is given. */
export const AUDIT_LOG = `<?php
namespace App\\Audit;

final class AuditLog
{
    private static array $ignored = [];

    public static function ignore(string $value): void
    {
        self::$ignored[] = $value;
    }

    public static function isIgnored(string $value): bool
    {
        return in_array($value, self::$ignored, true);
    }

    public static function record(object $event): bool
    {
        return !self::isIgnored($event::class);
    }
}
`;

/** Start-up of the audit log, in a class whose method names say nothing of start-up: only its arguments decide. */
export const auditSetup = (body: string): string => `<?php
namespace App\\Audit;

use App\\Events\\CacheHit;
use App\\Events\\QueryExecuted;

final class AuditSubscriber
{
    private const NOISY = 'app.heartbeat';

    public function subscribe(): void
    {
${body}
    }
}
`;

/** A controller that lets a request add to the list. */
export const AUDIT_CONTROLLER = `<?php
namespace App\\Http\\Controllers;

use App\\Audit\\AuditLog;
use Illuminate\\Http\\Request;

final class AuditSettingsController
{
    public function mute(Request $request): void
    {
        AuditLog::ignore($request->input('event'));
    }
}
`;

/** A memo of snake-cased names, keyed by the string it is given. */
export const CASE_CONVERTER = `<?php
namespace App\\Support;

final class CaseConverter
{
    private static array $snakeCache = [];

    public static function snake(string $value): string
    {
        return self::$snakeCache[$value] ??= strtolower(preg_replace('/(?<!^)[A-Z]/', '_$0', $value));
    }
}
`;

/** A model base class that converts the names of its own attributes and columns. */
export const modelUsing = (extra = ''): string => `<?php
namespace App\\Models;

use App\\Support\\CaseConverter;

abstract class Record
{
    protected array $columns = [];

    public function getAttribute(string $attribute): mixed
    {
        return $this->read(CaseConverter::snake($attribute));
    }

    public function columnNames(): array
    {
        $names = [];
        foreach ($this->columns as $column) {
            $names[] = CaseConverter::snake($column);
        }
        return $names;
    }

    public function table(): string
    {
        return CaseConverter::snake('OrderLine');
    }
${extra}
    abstract protected function read(string $column): mixed;
}
`;

/** An instance cache of page fragments whose append() takes the fragment second. */
export const FRAGMENT_CACHE = `<?php
namespace App\\View;

final class FragmentCache
{
    private array $fragments = [];

    public function append(string $name, string $html): void
    {
        $this->fragments[$name][] = $html;
    }

    public function get(string $name): array
    {
        return $this->fragments[$name] ?? [];
    }
}
`;

/** A factory that keeps one filter per pair it is asked for (a memo keyed by what `filterFor()` is given). */
export const LINE_FILTERS = `<?php
namespace App\\Mail\\Stream;

final class LineFilterFactory
{
    private array $filters = [];

    public function filterFor(string $search, string $replace): LineFilter
    {
        return $this->filters[$search][$replace] ??= new LineFilter($search, $replace);
    }
}
`;

/** A stream buffer that hands each key of the map it is given to the factory: its callers decide. */
export const lineBuffer = (extra = ''): string => `<?php
namespace App\\Mail\\Stream;

final class LineBuffer
{
    private array $active = [];

    public function __construct(private LineFilterFactory $factory) {}

    public function translate(array $map): void
    {
        foreach ($this->active as $search => $filter) {
            if (!isset($map[$search])) {
                unset($this->active[$search]);
            }
        }
        foreach ($map as $search => $replace) {
            $this->active[$search] ??= $this->factory->filterFor($search, $replace);
        }
    }
${extra}}
`;

/** A transport that sets its line endings on the buffer (the outer callers). */
export const transportUsing = (cls: string, body: string): string => `<?php
namespace App\\Mail\\Transport;

use App\\Mail\\Stream\\LineBuffer;

final class ${cls}
{
    public function __construct(private LineBuffer $buffer) {}

    public function begin(string $mode): void
    {
${body}
    }
}
`;
