import { describe, expect, it } from 'vitest';
import { lintText } from '../../engine/lint.js';
import { parsePhp } from '../../engine/parse.js';
import { SourceFile } from '../../engine/source.js';
import { walk } from '../../engine/walk.js';
import type { PhpNode, Program } from '../../engine/nodes.js';

const lint = (text: string) => lintText({ path: 'x.php', text, rules: [] });
const at = (text: string) => lint(text).map((f) => `${f.ruleId} ${f.range.start.line}:${f.range.start.column}-${f.range.end.line}:${f.range.end.column} ${f.message}`);

describe('parsing never throws and reports where a user would look', () => {
  it('a missing `;` is reported after the last token, not on the next line', () => {
    expect(at('<?php\n$a = 1\n$b = 2;\n')).toEqual([
      'parse-error 2:5-2:6 syntax error, unexpected variable "$b", expecting ";"',
    ]);
  });
  it('a missing `;` before a trailing comment points at the code, not the comment', () => {
    expect(at('<?php\n$a = 1 // note\n$b = 2;\n')[0]).toMatch(/^parse-error 2:5-2:6 /);
  });
  it('`<?php $a = (;` (a TypeError inside php-parser) is a parse-error', () => {
    const fs = lint('<?php $a = (;');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.ruleId).toBe('parse-error');
    expect(fs[0]!.range.start).toEqual({ line: 1, column: 12, offset: 12 });
  });
  it('an unclosed `#[` followed by a comment (Bad terminal sequence) is a parse-error', () => {
    const fs = lint('<?php\n#[Attr(\n// comment\n');
    expect(fs.map((f) => f.ruleId)).toEqual(['parse-error']);
  });
  it('one mistake reported several times by php-parser is one finding', () => {
    expect(lint('<?php\nfunction f( {\n}\n').map((f) => f.ruleId)).toEqual(['parse-error']);
  });
  it('only the first syntax error, as php -l: the recovery after it cascades onto code that is fine', () => {
    // The heredoc ends at the indented `END` of `END Report`, so `Report` is PHP's one error
    // (pointed at the end of the token before it, like a missing `;`); php-parser recovers into
    // the rest of the text and used to report a second one at the final `END;`.
    const text = '<?php\nfunction f() {\n    $a = <<<END\n    body\n    END Report\n    {\n    }\n    END;\n    return $a;\n}\n';
    expect(at(text)).toEqual(['parse-error 5:6-5:7 syntax error, unexpected identifier "Report", expecting ";"']);
  });
  it('a `#` comment inside an attribute is a comment, as in PHP 8, and positions after it stay right', () => {
    const text = '<?php\nclass A {\n    #[Setting(label: "k", # the key\n        envVar: "K")]\n    public string $k = "";\n    public function f() { gc_disable(); }\n}\n';
    expect(lint(text)).toEqual([]);
    const program = parsePhp(text, 'x.php');
    expect(program.ok && program.problems).toEqual([]);
    const calls: string[] = [];
    if (program.ok) walk(program.program as Program, { enter: new Map(), exit: new Map(), anyEnter: (n: PhpNode) => { if (n.kind === 'call') calls.push(`${n.loc!.start.line}:${n.loc!.start.column}`); } });
    expect(calls).toEqual(['6:26']);
  });
  it('parses PHP 8.5 syntax such as clone($x) without errors', () => {
    expect(lint('<?php $b = clone($a);')).toEqual([]);
    expect(lint('<?php $b = clone($a, ["x" => 1]);')).toEqual([]);
  });
  it('parses `clone (expr)` with any expression, as Symfony VarExporter generates it', () => {
    expect(lint('<?php $o = [clone ($p[\'A\'] ?? X::p(\'A\')), clone (($p = &X::$q)[\'B\'] ?? X::p(\'B\'))];')).toEqual([]);
    expect(lint('<?php $b = clone $a->c;')).toEqual([]);
  });
  it('parses `clone (expr)->chain()` as the clone of the whole chain, as PHP before 8.5 does (hyperf)', () => {
    const right = (code: string) => ((parsePhp(`<?php $x = ${code};`, 'x.php') as { program: Program }).program.children[0] as unknown as { expression: { right: unknown } }).expression.right;
    expect(right("clone (new Crontab())\n    ->setName('t')\n    ->setRule('* * * * *')")).toMatchObject({ kind: 'clone', what: { kind: 'call', what: { kind: 'propertylookup', what: { kind: 'call' } } } });
    expect(right("clone ($a)['k']")).toMatchObject({ kind: 'clone', what: { kind: 'offsetlookup', what: { kind: 'variable', name: 'a' } } });
    expect(right('clone ($a)')).toMatchObject({ kind: 'clone', what: { kind: 'variable', name: 'a' } });
  });
  it('parses an attribute on an anonymous class passed as an argument (`f(new #[A] class {})`)', () => {
    expect(lint('<?php $c->bindSingleton("test", new #[Singleton] class {});\nf(1, new #[A(name: "x"), B] class extends C { public function p(): int { return 1; } });')).toEqual([]);
  });
  it('parses `function readonly(…)` (WordPress php-compat) while `readonly` stays a modifier elsewhere, DNF types included', () => {
    expect(lint('<?php\nfunction readonly( $v, $c = true ) { return wp_readonly($v, $c); }')).toEqual([]);
    expect(lint('<?php class A { public readonly int $x; public readonly (\\A&\\B)|null $r; public function __construct(readonly int $y) {} }\nreadonly class B {}')).toEqual([]);
  });
  it('parses `instanceof (expr)` and named arguments after an unpacked one (PHP 8.1)', () => {
    expect(lint('<?php $a = fn ($j) => $job instanceof ((string) $j) || $x instanceof ($c->getName());')).toEqual([]);
    expect(lint('<?php $q->{$m}(...array_values($v), boolean: $b);')).toEqual([]);
  });
  it('parses reserved words as member names after `::` in a chain (Laravel HasFactory: `static::$factory::new()`)', () => {
    for (const code of ['static::$factory::new();', '$f->factoryClass::new();', 'A::b()::list();', 'A::$b::print();', '$a->b::default;']) {
      expect(lint(`<?php ${code}`), code).toEqual([]);
    }
    const call = (parsePhp('<?php static::$f::new(1);', 'x.php') as { program: Program }).program.children[0] as unknown as { expression: { what: { offset: { kind: string; name: string } } } };
    expect(call.expression.what.offset).toMatchObject({ kind: 'identifier', name: 'new' });
    expect(lint('<?php $a->b::;').map((f) => f.ruleId)).toEqual(['parse-error']);
  });
  it('parses `clone $a = …`, `clone $b ??= …` and `clone new Foo` as PHP does (clone of the assignment)', () => {
    for (const code of ['$b = clone $a = clone $c;', '$a ??= clone $b ??= f();', '$b = clone new Foo();']) expect(lint(`<?php ${code}`), code).toEqual([]);
    const stmt = (parsePhp('<?php $x = clone $a . "s";', 'x.php') as { program: Program }).program.children[0] as unknown as { expression: { right: { kind: string; left: { kind: string } } } };
    expect(stmt.expression.right).toMatchObject({ kind: 'bin', left: { kind: 'clone' } });
  });
  it('parses a nested `list()` as a foreach target (nikic/PHP-Parser updateTests.php), and `list(…) = …` as before', () => {
    for (const code of [
      'foreach ($t as list($a, list($b, $c))) { echo $a, $b, $c; }',
      'foreach ($t as $k => list($a, list(, $c))) {}',
      "foreach ($t as list('x' => $a, 'y' => list($b))) {}",
      'foreach ($t as [$a, [$b, $c]]) {}',
      'list($a, list($b)) = $x; foreach ($t as $v) { list($p) = $v; }',
    ]) expect(lint(`<?php ${code}`), code).toEqual([]);
    const loop = (parsePhp('<?php foreach ($t as list($a, list($b, $c))) {}', 'x.php') as { program: Program }).program.children[0] as unknown as { value: { kind: string; items: { value: { kind: string; items: unknown[] } }[] } };
    expect(loop.value.kind).toBe('list');
    expect(loop.value.items.map((i) => i.value.kind)).toEqual(['variable', 'list']);
    expect(loop.value.items[1]!.value.items).toHaveLength(2);
    // The flag is restored: a later `list(…) = …` is still an assignment.
    const after = (parsePhp('<?php foreach ($t as list($a, list($b))) {} list($c) = $d;', 'x.php') as { program: Program }).program.children[1] as unknown as { expression: { kind: string } };
    expect(after.expression.kind).toBe('assign');
  });
  it('parses DNF types after modifiers (`public (A&B)|null $p`, promoted or not) and still reads `private(set)`', () => {
    for (const code of [
      'class C { protected (A&B)|null $p = null; }',
      'class C { public static (A&B)|null $p = null, $q; public readonly (\\A&\\B)|null $r; }',
      'class C { function __construct(private (A&B)|null $x, public private(set) int $y = 1) {} }',
      'class C { public private(set) ?int $p = null; private(set) int $q; }',
      'trait T { public (A&B)|null $p; function f((A&B)|null $x): (A&B)|null { return $x; } }',
    ]) expect(lint(`<?php ${code}`), code).toEqual([]);
    const prop = (parsePhp('<?php class C { public static (A&B)|null $p = null; }', 'x.php') as { program: Program }).program.children[0] as unknown as { body: { kind: string; isStatic: boolean; properties: { type: { kind: string } }[] }[] };
    expect(prop.body[0]).toMatchObject({ kind: 'propertystatement', isStatic: true, properties: [{ type: { kind: 'uniontype' } }] });
  });
});

describe('inputs on which php-parser 3.7.0 loops forever (patched: engine/parser-patches.ts)', () => {
  it.each([
    ['<?php enum A'],
    ['<?php #[\n'],
    ['<?php #[A '],
    ['<?php enum '],
    ['<?php\nfunction y{namespace'],
    ['<?php\nfor t a f:namespace'],
    ['<?php class A { public static function reset(): v"#-oid\n {\n }\n}'],
    ['<?php "{$o"{$'],
    ['<?php g"$o"{$'],
    ["<?php\n''\"{$o\"{$"],
  ])('%j gives parse-error findings and returns', (text) => {
    const fs = lint(text);
    expect(fs.length).toBeGreaterThan(0);
    expect(fs.every((f) => f.ruleId === 'parse-error')).toBe(true);
  });
});

describe('deep nesting', () => {
  it('5,000 chained method calls are analysed (iterative walk)', () => {
    const text = '<?php $q' + '->m()'.repeat(5000) + ';';
    const r = parsePhp(text, 'x.php');
    // php-parser recurses: on the default stack this may overflow, which must be a finding, not a crash.
    if (!r.ok) {
      expect(r.problems[0]!.message).toMatch(/nests too deeply|call stack/);
      return;
    }
    let count = 0;
    walk(r.program, { enter: new Map(), exit: new Map(), anyEnter: () => { count++; } });
    expect(count).toBeGreaterThan(10_000);
  });
  it('a stack overflow inside the parser becomes a parse-error finding', () => {
    const text = '<?php $a = ' + '['.repeat(20000) + ']'.repeat(20000) + ';';
    const fs = lint(text);
    expect(fs.every((f) => f.ruleId === 'parse-error')).toBe(true);
  });
});

describe('range normalisation (SourceFile.spanOf)', () => {
  const parse = (text: string) => {
    const r = parsePhp(text, 'x.php');
    if (!r.ok) throw new Error('parse');
    const file = new SourceFile('x.php', text, r.program as Program);
    const nodes: PhpNode[] = [];
    walk(r.program, { enter: new Map(), exit: new Map(), anyEnter: (n) => nodes.push(n) });
    return { file, nodes };
  };
  it('an expression under a statement does not include the `;`', () => {
    const { file, nodes } = parse('<?php $a = 1;');
    expect(file.textOf(nodes.find((n) => n.kind === 'assign')!)).toBe('$a = 1');
  });
  it('`$a[] = 1` gives the offsetlookup a range starting at its variable', () => {
    const { file, nodes } = parse('<?php $a[] = 1;');
    expect(file.textOf(nodes.find((n) => n.kind === 'offsetlookup')!)).toBe('$a[]');
  });
  it('a bin after instanceof starts at its left operand', () => {
    const { file, nodes } = parse('<?php if ($x instanceof Foo && $y) {}');
    expect(file.textOf(nodes.find((n) => n.kind === 'bin' && n.type === '&&')!)).toBe('$x instanceof Foo && $y');
  });
  it('class and property ranges include their attributes', () => {
    const { file, nodes } = parse('<?php\n#[Attr]\nclass A { #[X] public $p; }');
    expect(file.textOf(nodes.find((n) => n.kind === 'class')!).startsWith('#[Attr]')).toBe(true);
    expect(file.textOf(nodes.find((n) => n.kind === 'property')!)).toBe('#[X] public $p');
  });
  it('`$x::class` has a range for `class`', () => {
    const { file, nodes } = parse('<?php $x::class;');
    const id = nodes.find((n) => n.kind === 'identifier' && n.name === 'class')!;
    expect(file.textOf(id)).toBe('class');
  });
  it('positions are UTF-16 code units', () => {
    const { file, nodes } = parse('<?php $s = "😀"; $b = 1;');
    const b = nodes.filter((n) => n.kind === 'assign')[1]!;
    expect(file.rangeOf(b).start).toEqual({ line: 1, column: 17, offset: 17 });
  });
});

describe('a test fixture that does not parse', () => {
  const broken = '<?php\n$a = (\n';
  const sevAt = (path: string, engineSeverities?: { 'parse-error': 'error' }) =>
    lintText({ path, text: broken, rules: [], ...(engineSeverities ? { engineSeverities } : {}) }).map((f) => `${f.ruleId} ${f.severity}`);

  it('is a hint in a fixtures folder of the tests (broken on purpose), an error anywhere else or when config sets it', () => {
    expect(sevAt('tests/Fixtures/ParseError.php')).toEqual(['parse-error hint']);
    expect(sevAt('src/Tokenizer/tests/Classes/BrokenClass.php')).toEqual(['parse-error hint']);
    expect(sevAt('tests/Unit/BrokenTest.php')).toEqual(['parse-error error']);
    expect(sevAt('src/Fixtures/Loader.php')).toEqual(['parse-error error']);
    expect(sevAt('tests/Fixtures/ParseError.php', { 'parse-error': 'error' })).toEqual(['parse-error error']);
  });
});
