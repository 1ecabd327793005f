import { describe, expect, it } from 'vitest';
import { lintText } from '../../engine/lint.js';
import { parsePhp } from '../../engine/parse.js';
import type { Program } from '../../engine/nodes.js';

const lint = (text: string) => lintText({ path: 'x.php', text, rules: [] });
const program = (text: string) => (parsePhp(text, 'x.php') as { program: Program }).program;
interface Prop { value: { kind: string; name?: string; what?: { name: string } } | null; hooks: { name: string; body: { kind: string } | null }[] }
const classBody = (text: string) => (program(text).children[0] as unknown as { body: { kind: string; properties?: Prop[]; arguments?: { value: { kind: string } | null; hooks?: unknown[] }[] }[] }).body;

// Valid PHP 8.4 that php-parser 3.7 read as syntax errors: an `error` on code that runs.
describe('PHP 8.4 property hooks and interface properties', () => {
  it('reads hooks after a default value, with the default and the hooks in the tree', () => {
    const code = [
      '<?php class Station {',
      '  public ?string $url = null { set => trim($value); }',
      '  public Status $status = Status::Active { set (Status|string $value) { $this->status = Status::from($value); } }',
      '  public array $tags = [] { get => $this->tags; }',
      '  public int $n = 1 + 2 { get { return $this->n; } }',
      '}',
    ].join('\n');
    expect(lint(code)).toEqual([]);
    const props = classBody(code).map((m) => m.properties![0]!);
    expect(props.map((p) => [p.value?.kind, p.hooks.map((h) => h.name)])).toEqual([
      ['nullkeyword', ['set']], ['staticlookup', ['set']], ['array', ['get']], ['bin', ['get']],
    ]);
    expect(props[1]!.hooks[0]!.body!.kind).toBe('block');
  });

  it('reads hooks after the default of a promoted constructor parameter', () => {
    const code = '<?php class F { function __construct(public ?int $p = null { get { return $this->p ?? 0; } }, public int $q = PHP_INT_MAX { set => max($value, 0); }) {} }';
    expect(lint(code)).toEqual([]);
  });

  it('reads code in hook bodies as any code: closures, matches, calls, nested blocks', () => {
    const code = [
      '<?php class C {',
      '  public array $rows = [] {',
      '    set {',
      '      $this->rows = array_map(function ($r) { return match ($r) { 1 => "a", default => "b" }; }, $value);',
      '      if ($value !== []) { foreach ($value as $v) { $this->seen[$v] = true; } }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    expect(lint(code)).toEqual([]);
  });

  it('still reads a default followed by `;` or `,`, and a string offset in ordinary code', () => {
    expect(lint('<?php class C { public $a = null, $b = X::Y; public $c = [1][0]; function f() { return g()[0]; } }')).toEqual([]);
    const offset = program('<?php $c = $s[0] . f(1)[2];').children[0] as unknown as { expression: { right: { left: { kind: string }; right: { kind: string } } } };
    expect(offset.expression.right.left.kind).toBe('offsetlookup');
    expect(offset.expression.right.right.kind).toBe('offsetlookup');
  });

  it('reads properties declared in an interface whatever their type', () => {
    const code = [
      '<?php interface Song {',
      '  public ?string $title { get; set; }',
      '  public array $artists { get; }',
      '  public \\App\\Id $id { get; }',
      '  public (A&B)|null $both { get; }',
      '  public string $name { get; }',
      '  const X = 1;',
      '  public function play(): void;',
      '}',
    ].join('\n');
    expect(lint(code)).toEqual([]);
    const body = (program(code).children[0] as unknown as { body: { kind: string }[] }).body;
    expect(body.map((m) => m.kind)).toEqual(['propertystatement', 'propertystatement', 'propertystatement', 'propertystatement', 'propertystatement', 'classconstant', 'method']);
  });

  it('still reports a broken interface member', () => {
    expect(lint('<?php interface I { public + $x; }').map((f) => f.ruleId)).toContain('parse-error');
  });
});

describe('flexible heredoc indentation with Windows line ends', () => {
  it('an empty "\\r\\n" line in an indented heredoc or nowdoc is not an indentation error', () => {
    const code = "<?php\r\nfunction f() {\r\n    $s = <<<'EOT'\r\n        a\r\n\r\n        b\r\n    EOT;\r\n    $t = <<<EOT\r\n        $s\r\n\r\n        c\r\n    EOT;\r\n    return $t;\r\n}\r\n";
    expect(lint(code)).toEqual([]);
  });
  it('a line indented less than the closing marker is still one', () => {
    const code = "<?php\r\n$s = <<<'EOT'\r\n  a\r\n    EOT;\r\n";
    expect(lint(code).map((f) => f.message)).toEqual(['Invalid body indentation level (expecting an indentation at least 4)']);
  });
});

describe('hooks in the editor: an edit re-parses one member', () => {
  it('an incremental analysis of random edits in a class with hooks equals a full one', async () => {
    const { applyEdit, randomEdit, rng } = await import('../helpers/random-edits.js');
    const { lintTextDetailed } = await import('../../engine/lint.js');
    const { rules } = await import('../../rules/index.js');
    const { forgetParses, splicedParses } = await import('../../engine/incremental-cache.js');
    const settings = rules.map((rule) => ({ rule }));
    const original = [
      '<?php',
      'namespace App\\Entity;',
      'final class Station {',
      '    private array $seen = [];',
      '    public ?string $url = null {',
      '        set {',
      '            $url = $value === null ? null : trim($value);',
      '            if ($url !== $this->url) { $this->seen[$url] = true; }',
      '            $this->url = $url;',
      '        }',
      '    }',
      '    public int $port = 8000 { set => max(1, $value); }',
      '    public function __construct(public ?string $name = null { get => $this->name ?? "radio"; }) {}',
      '    public function listeners(array $rows): array {',
      '        $out = [];',
      '        foreach ($rows as $r) { $out = array_merge($out, $r); }',
      '        return $out;',
      '    }',
      '}',
      '',
    ].join('\n');
    const r = rng(8404);
    const check = (text: string, i: number): void => {
      const incremental = lintTextDetailed({ path: 'Station.php', text, rules: settings, summary: true, incremental: 'hooks' });
      const full = lintTextDetailed({ path: 'Station.php', text, rules: settings, summary: true });
      expect(incremental, `edit ${i}: ${JSON.stringify(text)}`).toEqual(full);
    };
    check(original, -1);
    const before = splicedParses();
    // Each random edit is followed by its undo, as a typist fixes a typo: most texts parse.
    for (let i = 0; i < 150; i++) {
      check(applyEdit(original, randomEdit(r, original)), i);
      check(original, i);
    }
    expect(splicedParses()).toBeGreaterThan(before);
    forgetParses();
  });
});

describe('PHP 8.5: the (void) cast and final promoted properties', () => {
  it('reads `(void)` as a cast of type void, and `(unset)` as before', () => {
    expect(lint('<?php (void) f(); ( VOID )$lock->release();')).toEqual([]);
    const cast = (program('<?php (void) f();').children[0] as unknown as { expression: { kind: string; type: string; expr: { kind: string } } }).expression;
    expect([cast.kind, cast.type, cast.expr.kind]).toEqual(['cast', 'void', 'call']);
    const unset = (program('<?php $x = (unset) $a;').children[0] as unknown as { expression: { right: { type: string } } }).expression.right;
    expect(unset.type).toBe('unset');
  });
  it('reads `final` before or after a promoted property\'s visibility, and alone as public', () => {
    const code = '<?php class A { public function __construct(final public int $x, public final int $y, final int $z = 1, private int $p = 0, $plain = 2) {} }';
    expect(lint(code)).toEqual([]);
    const ctor = (program(code).children[0] as unknown as { body: { arguments: { name: { name: string }; flags: number }[] }[] }).body[0]!;
    expect(ctor.arguments.map((a) => [a.name.name, a.flags])).toEqual([['x', 1], ['y', 1], ['z', 1], ['p', 4], ['plain', 0]]);
  });
});
