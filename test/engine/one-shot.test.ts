import { describe, expect, it } from 'vitest';
import { isOneShotPath, oneShotFolder } from '../../engine/facts/one-shot.js';
import { lintText } from '../../engine/lint.js';
import { defineRule, type AnyRule } from '../../engine/rule.js';

// One-shot scripts (engine/facts/one-shot.ts): rules with `silentInOneShot` say nothing in a
// script that runs once and exits, unless the file itself shows a worker loop; other rules run.

const seen: boolean[] = [];

const kept = defineRule({
  meta: { id: 'kept', severity: 'warning', silentInOneShot: true, fixable: 'never', description: 'test rule about state kept between requests', messages: { m: 'echo kept' } },
  defaultOptions: {},
  create(ctx) {
    return {
      echo(node) { ctx.report({ at: node, messageId: 'm' }); },
      'program:exit'() { seen.push(ctx.oneShot); },
    };
  },
}) as AnyRule;

const perRun = defineRule({
  meta: { id: 'per-run', severity: 'warning', fixable: 'never', description: 'test rule about the cost of one run', messages: { m: 'echo costs' } },
  defaultOptions: {},
  create(ctx) { return { echo(node) { ctx.report({ at: node, messageId: 'm' }); } }; },
}) as AnyRule;

const SCRIPT = "<?php\nforeach ($argv as $file) {\n    echo $file;\n}\n";
const WORKER = "<?php\nwhile (true) {\n    $job = $queue->pop();\n    echo $job;\n}\n";

function ids(path: string, text: string, extra: { longRunning?: boolean; oneShotPath?: boolean } = {}): string[] {
  return lintText({ path, text, rules: [{ rule: kept }, { rule: perRun }], ...extra }).map((f) => `${f.range.start.line}:${f.ruleId}`);
}

describe('one-shot scripts', () => {
  it('knows the folders of scripts that run once: build, dev and CI tooling, cli/ scripts, requirement checkers', () => {
    expect(['build/controllers/PhpDocController.php', 'cli/i18n/I18nFile.php', 'framework/requirements/YiiRequirementChecker.php', 'bin/console', 'scripts/release.php', 'tools/gen.php', '.github/check.php'].map(oneShotFolder))
      .toEqual(['build', 'cli', 'requirements', 'bin', 'scripts', 'tools', '.github']);
    expect(['src/Command/ImportCommand.php', 'app/Console/Kernel.php', 'lib/Minz/View.php', 'src/Builder.php', 'src/Cli/Runner.php', 'src/buildings/x.php'].map(isOneShotPath))
      .toEqual([false, false, false, false, false, false]);
    expect(isOneShotPath('cli\\i18n\\I18nFile.php')).toBe(true);
  });

  it('drops the findings of rules about state kept between requests, and only theirs', () => {
    seen.length = 0;
    expect(ids('cli/i18n/dump.php', SCRIPT)).toEqual(['3:per-run']);
    expect(seen).toEqual([true]);
    expect(ids('src/Dump.php', SCRIPT)).toEqual(['3:kept', '3:per-run']);
    expect(seen).toEqual([true, false]);
  });

  it('a worker loop in the script, or config that says long-running, vetoes it', () => {
    seen.length = 0;
    expect(ids('bin/worker.php', WORKER)).toEqual(['4:kept', '4:per-run']);
    expect(ids('build/watch.php', SCRIPT, { longRunning: true })).toEqual(['3:kept', '3:per-run']);
    expect(seen).toEqual([false, false]);
  });

  it('the front end decides from the project-relative path: an absolute path under /home/me/dev/ is not a dev script', () => {
    expect(ids('/home/me/dev/app/src/Dump.php', SCRIPT, { oneShotPath: false })).toEqual(['3:kept', '3:per-run']);
    expect(ids('/home/me/app/build/dump.php', SCRIPT, { oneShotPath: true })).toEqual(['3:per-run']);
  });

  it('an ignore comment for a dropped finding is reported unused', () => {
    const text = "<?php\nforeach ($argv as $file) {\n    echo $file; // phpleak-ignore-line kept -- a build script\n}\n";
    const found = lintText({ path: 'build/dump.php', text, rules: [{ rule: kept }] });
    expect(found.map((f) => `${f.range.start.line}:${f.ruleId}`)).toEqual(['3:unused-ignore']);
  });
});
