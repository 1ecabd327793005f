import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from '../engine/config.js';
import type { AnyRule } from '../engine/rule.js';
import { UsageError } from './args.js';
import { isEngineId, engineInfo, ruleInfos } from './meta.js';

// The subcommands that do not lint: `rules`, `explain <id>`, `init`.

export function rulesCommand(registry: readonly AnyRule[], format: 'json' | 'text'): string {
  const infos = ruleInfos(registry);
  if (format === 'json') {
    return JSON.stringify(infos.map((r) => ({
      id: r.id, severity: r.severity, ...(r.longRunningSeverity ? { longRunningSeverity: r.longRunningSeverity } : {}),
      fixable: r.fixable, description: r.description, engine: r.engine,
    })), null, 2) + '\n';
  }
  const idW = Math.max(...infos.map((r) => r.id.length), 4);
  const lines = [`${'rule'.padEnd(idW)}  ${'severity'.padEnd(18)}  ${'fix'.padEnd(9)}  description`];
  for (const r of infos) {
    const sev = r.longRunningSeverity ? `${r.severity} (lr: ${r.longRunningSeverity})` : r.severity;
    lines.push(`${r.id.padEnd(idW)}  ${sev.padEnd(18)}  ${r.fixable.padEnd(9)}  ${r.description}`);
  }
  lines.push('', 'lr: severity in long-running code (workers, daemons; config "longRunning"). Docs: phpleak explain <rule-id>');
  return lines.join('\n') + '\n';
}

export function explainCommand(registry: readonly AnyRule[], id: string): string {
  if (isEngineId(id)) return engineInfo(id).docs;
  const info = ruleInfos(registry).find((r) => r.id === id);
  if (!info) {
    const ids = registry.map((r) => r.meta.id);
    const close = ids.find((k) => k.includes(id) || id.includes(k));
    throw new UsageError(`unknown rule id "${id}"${close ? ` (did you mean ${close}?)` : ''}; run phpleak rules for the list`);
  }
  const docs = info.docs.endsWith('\n') ? info.docs : info.docs + '\n';
  const rule = registry.find((r) => r.meta.id === id)!;
  // The messages it reports ({{placeholders}} are filled in per finding), each with its details.
  const messages = Object.entries(rule.meta.messages as Record<string, string>).map(([k, m]) => {
    const details = (rule.meta.details as Record<string, string | undefined> | undefined)?.[k];
    return `- ${m}${details ? `\n\n  ${details}` : ''}`;
  });
  return `${docs}\n## Messages\n\n${messages.join('\n\n')}\n`;
}

/** Writes a starter phpleak.json in `cwd`; returns the message to print. */
export function initCommand(cwd: string, force: boolean): string {
  const file = join(cwd, CONFIG_FILE_NAME);
  if (existsSync(file) && !force) throw new UsageError(`${file} already exists (use --force to overwrite it)`);
  const dirs = ['src', 'app', 'lib', 'bin', 'config', 'public'].filter((d) => isDir(join(cwd, d)));
  const testsDirs = readdirSafe(cwd).filter((d) => /^tests?$/i.test(d) && isDir(join(cwd, d)));
  const config = {
    $schema: './node_modules/phpleak/phpleak.schema.json',
    ...(dirs.length > 0 ? { include: dirs } : {}),
    exclude: testsDirs.length > 0 ? testsDirs.map((d) => `${d}/fixtures/**`) : [],
    rules: {},
    longRunning: [],
  };
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
  return `phpleak: wrote ${file}${dirs.length > 0 ? ` (include: ${dirs.join(', ')})` : ''}. List worker entry points and daemons under "longRunning"; docs: docs/configuration.md\n`;
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

function readdirSafe(p: string): string[] {
  try { return readdirSync(p); } catch { return []; }
}
