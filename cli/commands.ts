import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILE_NAME } from '../engine/config.js';
import { writeOutputFile } from './output-file.js';
import type { AnyRule } from '../engine/rule.js';
import { UsageError } from './args.js';
import { isEngineId, engineInfo, ruleInfos, VERSION } from './meta.js';

// The subcommands that do not lint: `rules`, `explain <id>`, `init`.

export function rulesCommand(registry: readonly AnyRule[], format: 'json' | 'text'): string {
  const infos = ruleInfos(registry);
  if (format === 'json') {
    return JSON.stringify(infos.map((r) => ({
      id: r.id, severity: r.severity, ...(r.longRunningSeverity ? { longRunningSeverity: r.longRunningSeverity } : {}),
      fixable: r.fixable, description: r.description, engine: r.engine,
    })), null, 2) + '\n';
  }
  // Column widths from the longest cell, so every row lines up ("warning (lr: error)" is 19).
  const sevOf = (r: (typeof infos)[number]) => (r.longRunningSeverity ? `${r.severity} (lr: ${r.longRunningSeverity})` : r.severity);
  const idW = Math.max(...infos.map((r) => r.id.length), 4);
  const sevW = Math.max(...infos.map((r) => sevOf(r).length), 8);
  const fixW = Math.max(...infos.map((r) => r.fixable.length), 3);
  const lines = [`${'rule'.padEnd(idW)}  ${'severity'.padEnd(sevW)}  ${'fix'.padEnd(fixW)}  description`];
  for (const r of infos) lines.push(`${r.id.padEnd(idW)}  ${sevOf(r).padEnd(sevW)}  ${r.fixable.padEnd(fixW)}  ${r.description}`);
  lines.push('', 'lr: severity in long-running code (workers, daemons; config "longRunning"). Docs: phpleak explain <rule-id>');
  return lines.join('\n') + '\n';
}

export function explainCommand(registry: readonly AnyRule[], id: string): string {
  if (isEngineId(id)) return engineInfo(id).docs;
  // `phpleak explain heap`: the guide to heap dumps (docs/heap.md, shipped in the package).
  if (id === 'heap' || id === 'heap-growth') return readFileSync(new URL('../../docs/heap.md', import.meta.url), 'utf8');
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
    $schema: schemaRef(cwd),
    ...(dirs.length > 0 ? { include: dirs } : {}),
    exclude: testsDirs.length > 0 ? testsDirs.map((d) => `${d}/fixtures/**`) : [],
    rules: {},
    longRunning: [],
  };
  writeOutputFile(file, JSON.stringify(config, null, 2) + '\n', 'configuration');
  const docs = join(PACKAGE_ROOT, 'docs', 'configuration.md');
  return `phpleak: wrote ${file}${dirs.length > 0 ? ` (include: ${dirs.join(', ')})` : ''}. List worker entry points and daemons under "longRunning"; docs: ${existsSync(docs) ? docs : `${REPO_URL}/blob/main/docs/configuration.md`}\n`;
}

const REPO_URL = 'https://github.com/phpleak/phpleak';
/** The installed package (this file is dist/cli/commands.js). */
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `$schema` for a new phpleak.json. A path relative to the file when the project has phpleak
 * installed locally (npm's node_modules/phpleak, or Composer's vendor/ holding this very
 * package): works offline and matches the installed rules. Otherwise (a global install, the
 * single executable) the schema of this version on GitHub: VS Code, JetBrains IDEs and
 * vscode-json-languageserver (Neovim, Emacs) all accept both forms.
 */
function schemaRef(cwd: string): string {
  if (existsSync(join(cwd, 'node_modules', 'phpleak', 'phpleak.schema.json'))) return './node_modules/phpleak/phpleak.schema.json';
  try {
    const own = realpathSync(join(PACKAGE_ROOT, 'phpleak.schema.json'));
    const rel = relative(realpathSync(cwd), own);
    if (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== own) return `./${rel.split(sep).join('/')}`;
  } catch { /* not shipped next to this file: use the URL */ }
  return `https://raw.githubusercontent.com/phpleak/phpleak/v${VERSION}/phpleak.schema.json`;
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

function readdirSafe(p: string): string[] {
  try { return readdirSync(p); } catch { return []; }
}
