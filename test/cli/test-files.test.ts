import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak } from './helpers.js';

// Rules about production behaviour (query logs) stay quiet in test files, also when the project
// is linted from outside its folder (`phpleak ../other-project`), where it has no config root.
const queryLog = '<?php\nfunction t() { \\DB::enableQueryLog(); }\n';

describe('test files', () => {
  it('a tests/ file inside the project is a test file', () => {
    const p = makeProject({ 'tests/FooTest.php': queryLog, 'src/Foo.php': queryLog });
    const r = phpleak(['-j', '1', '-f', 'json', '.'], { cwd: p });
    const files = (JSON.parse(r.stdout) as { files: { path: string; findings: { ruleId: string }[] }[] }).files;
    expect(files.filter((f) => f.findings.some((x) => x.ruleId === 'query-log-enabled')).map((f) => f.path)).toEqual(['src/Foo.php']);
  });
  it('a tests/ file of a project linted from outside it is still a test file', () => {
    const p = makeProject({ 'proj/tests/FooTest.php': queryLog, 'proj/src/Foo.php': queryLog, 'here/.keep': '' });
    const r = phpleak(['-j', '1', '-f', 'json', '../proj'], { cwd: join(p, 'here') });
    const files = (JSON.parse(r.stdout) as { files: { path: string; findings: { ruleId: string }[] }[] }).files;
    expect(files.filter((f) => f.findings.some((x) => x.ruleId === 'query-log-enabled')).map((f) => f.path)).toEqual(['../proj/src/Foo.php']);
  });
});
