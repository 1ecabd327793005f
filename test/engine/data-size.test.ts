import { describe, expect, it } from 'vitest';
import { factsOf } from '../helpers/facts.js';
import { dataSizedLoop, isDataName } from '../../engine/facts/data-size.js';
import { isLoop, type Loop, type PhpNode } from '../../engine/nodes.js';

// The probe is the loop around the call `here()`; the answer is the evidence that the loop
// runs once per row, line or record of data, or null.
function evidence(code: string): string | null {
  const { facts } = factsOf(`<?php\n${code}\n`, { clean: true });
  let n: PhpNode | undefined = facts.functionCalls.get('here')![0]!;
  while (n && !isLoop(n)) n = n.parent;
  return n ? dataSizedLoop(n as Loop, facts)?.what ?? null : null;
}

describe('dataSizedLoop', () => {
  it('sees rows fetched from a database', () => {
    expect(evidence('foreach ($stmt->fetchAllAssociative() as $r) { here(); }')).toBe('the rows `fetchallassociative()` fetches');
    expect(evidence('$q = $em->createQuery($dql); foreach ($q->toIterable() as $e) { here(); }')).toBe('the rows `toiterable()` fetches');
    expect(evidence("foreach (\$db->query('SELECT id FROM users') as \$r) { here(); }")).toBe('the rows `query()` returns');
    expect(evidence("foreach (\$db->select('node', 'n')->fields('n')->execute() as \$r) { here(); }")).toBe('the rows `execute()` returns');
    expect(evidence('while ($row = $stmt->fetch()) { here(); }')).toBe('each row or line `fetch()` reads');
    expect(evidence('foreach ($qb->getQuery()->getResult() as $e) { here(); }')).toBe('the rows `getresult()` fetches');
    expect(evidence('foreach ($query->getResult() as $e) { here(); }')).toBe('the rows `getresult()` fetches');
  });
  it('does not take getResult() of something other than a Doctrine query for rows', () => {
    // A route's response or a search result object: its getResult() is one object's children.
    expect(evidence('function f(Response $response) { foreach ($response->getResult() as $e) { here(); } }')).toBeNull();
  });
  it('sees lines of a file and arrays filled per row', () => {
    expect(evidence('foreach (file($p) as $l) { here(); }')).toBe('the lines or rows `file()` returns');
    expect(evidence('$t = file_get_contents($p); foreach (explode("\\n", $t) as $l) { here(); }')).toBe('the lines `explode()` splits');
    expect(evidence('while (($l = fgets($h)) !== false) { here(); }')).toBe('each row or line `fgets()` reads');
    expect(evidence('foreach ($s->fetchAll() as $r) { $ids[] = $r[0]; } foreach ($ids as $id) { here(); }')).toBe('the rows `fetchall()` fetches');
    expect(evidence('$ids = $wpdb->get_col($sql); $todo = $ids; while ($b = array_splice($todo, 0, 20)) { here(); }')).toBe('the rows `get_col()` fetches');
  });
  it('sees paging loops and data-named parameters', () => {
    expect(evidence('function f($c) { $p = 1; while ($items = $c->page($p++)) { here(); } }')).toBe('the pages `page()` fetches');
    expect(evidence('function f($c) { $o = 0; do { $m = $c->take(10, $o); $o += 10; here(); } while ($m !== []); }')).toBe('the pages `take()` fetches');
    expect(evidence('function f(array $csvRows) { foreach ($csvRows as $r) { here(); } }')).toBe('`$csvRows`');
  });
  it('sees a buffer of records the class appends to', () => {
    expect(evidence('class H { private array $records = []; function w($r) { $this->records[] = $r; } function s() { foreach ($this->records as $r) { here(); } } }'))
      .toBe('`records`, which the class appends to on every call');
    expect(evidence('class H { private array $records = []; function __construct(array $r) { $this->records[] = $r; } function s() { foreach ($this->records as $r) { here(); } } }')).toBeNull();
  });
  it('finds no evidence in loops sized by a person', () => {
    expect(evidence("foreach (['a', 'b'] as \$x) { here(); }")).toBeNull();
    expect(evidence('function f(array $providers) { foreach ($providers as $p) { here(); } }')).toBeNull();
    expect(evidence('class A { function f() { foreach ($this->hydrators as $h) { here(); } } }')).toBeNull();
    expect(evidence("foreach (explode('.', \$selector) as \$part) { here(); }")).toBeNull();
    expect(evidence('foreach (explode("\\n", $doc) as $l) { here(); }')).toBeNull();
    expect(evidence('while ($g = $g->getParent()) { here(); }')).toBeNull();
    expect(evidence('for ($i = 0; $i < $n; $i++) { here(); }')).toBeNull();
    expect(evidence("foreach (\$db->query(\$sqlDelete) as \$r) { here(); }")).toBeNull();
    // An HTTP request's query bag is not a database query.
    expect(evidence('foreach ($request->query()->all() as $k => $v) { here(); }')).toBeNull();
    expect(evidence('foreach (User::query()->all() as $u) { here(); }')).toBe("the rows the query's `all()` returns");
  });
});

describe('isDataName', () => {
  it('takes names of rows, records, lines and entities, not any plural', () => {
    expect(['rows', 'records', 'lines', 'csvRows', 'import_records', 'fileLines', 'entities'].map(isDataName)).toEqual([true, true, true, true, true, true, true]);
    expect(['values', 'data', 'items', 'options', 'providers', 'linesep'].map(isDataName)).toEqual([false, false, false, false, false, false]);
  });
});
