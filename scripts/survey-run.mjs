#!/usr/bin/env node
// Re-runs the leak-fix survey (docs/leak-fix-survey.md): phpleak on the file before and after
// each real fix, and whether it reports something at the leaky lines.
//
//   node scripts/survey-run.mjs [--extract] [--long-running] [--root /work/survey] [--mirror /work/.mirror] [--table]
//
// --extract writes <root>/<id>/before/<path> and <root>/<id>/after/<path> from the fetched bare
// repositories (<mirror>/<owner+name>/repo); without it the files must already be there.
// Fetched code stays outside the repository: this script and scripts/survey-fixes.json only
// name repositories, commits, paths and line ranges.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = resolve(opt('--root', '/work/survey'));
const mirror = resolve(opt('--mirror', '/work/.mirror'));
const cli = resolve(here, '..', 'dist', 'cli', 'main.js');
// --long-running: every file counts as code of a worker (config "longRunning": ["**"]).
const longRunning = args.includes('--long-running');
const lrConfig = join(root, 'phpleak-long-running.json');
if (longRunning) writeFileSync(lrConfig, JSON.stringify({ longRunning: ['**'] }));
const fixes = JSON.parse(readFileSync(join(here, 'survey-fixes.json'), 'utf8')).fixes;

function gitShow(repo, rev, path) {
  const gitDir = join(mirror, repo.replace('/', '+'), 'repo');
  try {
    return execFileSync('git', ['--git-dir', gitDir, 'show', `${rev}:${path}`], {
      maxBuffer: 64 << 20,
    });
  } catch {
    return null; // the file does not exist on that side of the fix
  }
}

function extract(fix) {
  for (const side of ['before', 'after']) {
    const rev = side === 'before' ? `${fix.commit}^` : fix.commit;
    for (const path of fix.files) {
      const body = gitShow(fix.repo, rev, path);
      if (body === null) continue;
      const out = join(root, fix.id, side, path);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, body);
    }
  }
}

// One phpleak run per side; findings are matched by path relative to that side's folder.
function findings(dir) {
  const out = resolve(dir, '..', `${dir.endsWith('before') ? 'before' : 'after'}.json`);
  try {
    execFileSync('node', [cli, '.', '--format', 'json', '--no-cache', '--min-severity', 'hint', '-j', '1', '--no-progress', '-o', out, ...(longRunning ? ['-c', lrConfig] : [])], {
      cwd: dir,
      stdio: 'ignore',
    });
  } catch {
    // exit code 1 means findings; the report is written either way
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const files = Array.isArray(report) ? report : report.files ?? [];
  const list = [];
  for (const f of files) {
    const path = (f.filePath ?? f.path ?? f.file ?? '').toString();
    for (const m of f.messages ?? f.findings ?? f.diagnostics ?? []) {
      list.push({ path, rule: m.ruleId ?? m.rule, line: m.line ?? m.range?.start?.line ?? m.start?.line, severity: m.severity });
    }
  }
  return list;
}

function hitsAt(list, dir, file, [from, to]) {
  const want = resolve(dir, file);
  return list.filter((f) => resolve(dir, f.path) === want && f.line >= from && f.line <= to && f.rule !== 'unused-ignore');
}

if (args.includes('--extract')) for (const fix of fixes) extract(fix);

const rows = [];
for (const fix of fixes) {
  const before = join(root, fix.id, 'before');
  const after = join(root, fix.id, 'after');
  if (!existsSync(before) || !existsSync(after)) {
    console.error(`${fix.id}: missing ${before} or ${after} (run with --extract)`);
    process.exitCode = 2;
    continue;
  }
  const b = hitsAt(findings(before), before, fix.leak.file, fix.leak.before);
  const a = hitsAt(findings(after), after, fix.leak.afterFile ?? fix.leak.file, fix.leak.after);
  rows.push({ fix, before: b, after: a });
}

const ruleNames = (hits) => [...new Set(hits.map((h) => h.rule))].join(', ') || '-';
if (args.includes('--table')) {
  for (const { fix, before, after } of rows) {
    const where = `${fix.leak.file.split('/').pop()}:${fix.leak.before[0]}${fix.leak.before[1] !== fix.leak.before[0] ? `-${fix.leak.before[1]}` : ''}`;
    const yn = (hits) => (hits.length ? `yes (${ruleNames(hits)})` : 'no');
    console.log(`| ${fix.id.slice(0, 2)} | ${fix.repo} | \`${fix.commit}\` | \`${where}\` | ${fix.shape} | ${fix.rule ?? 'none'} | ${fix.rule ? (fix.inRuleText ? 'yes' : 'no') : '-'} | ${yn(before)} | ${yn(after)} |`);
  }
} else {
  for (const { fix, before, after } of rows) {
    console.log(`${fix.id.padEnd(28)} ${(fix.rule ?? 'none').padEnd(28)} before: ${before.length ? 'flagged' : 'silent '} ${ruleNames(before).padEnd(30)} after: ${after.length ? 'flagged' : 'silent'} ${ruleNames(after)}`);
  }
}

const described = rows.filter((r) => r.fix.rule);
const flaggedBefore = described.filter((r) => r.before.length);
const flaggedBeforeByRule = described.filter((r) => r.before.some((h) => h.rule === r.fix.rule));
const stillAfter = flaggedBefore.filter((r) => r.after.length);
const pct = (n, d) => (d ? `${Math.round((100 * n) / d)} %` : 'n/a');
console.log('');
console.log(`fixes surveyed:                       ${rows.length}`);
console.log(`fixes a rule describes:               ${described.length}`);
console.log(`  flagged before at the leaky lines:  ${flaggedBefore.length} (${pct(flaggedBefore.length, described.length)})`);
console.log(`  ... by the rule that describes it:  ${flaggedBeforeByRule.length} (${pct(flaggedBeforeByRule.length, described.length)})`);
const inText = described.filter((r) => r.fix.inRuleText);
const inTextFlagged = inText.filter((r) => r.before.length);
console.log(`  fixes the rule's text covers today:  ${inText.length}, flagged before: ${inTextFlagged.length} (${pct(inTextFlagged.length, inText.length)})`);
console.log(`  still flagged after the fix:        ${stillAfter.length} of ${flaggedBefore.length} flagged (${pct(stillAfter.length, flaggedBefore.length)})`);
console.log(`fixes no rule describes:              ${rows.length - described.length}`);
console.log(`  flagged before anyway:              ${rows.filter((r) => !r.fix.rule && r.before.length).length}`);
