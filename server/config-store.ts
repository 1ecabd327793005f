import { statSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { ConfigError, defaultConfig, ENGINE_IDS, engineSeverities, findConfigFile, globMatcher, isTestPath, loadConfigFile, projectHttpRuntime, projectPhpVersion, ruleSettings, type PhpleakConfig } from '../engine/config.js';

// composer.json is read once per loaded config, not on every keystroke.
const fromComposer = new WeakMap<PhpleakConfig, { php: string | null; http: HttpRuntime | null }>();
function composerFacts(cfg: PhpleakConfig): { php: string | null; http: HttpRuntime | null } {
  let f = fromComposer.get(cfg);
  if (!f) { f = { php: projectPhpVersion(cfg), http: projectHttpRuntime(cfg) }; fromComposer.set(cfg, f); }
  return f;
}
import type { HttpRuntime } from '../engine/http-runtime.js';
import type { PoolJob } from '../engine/pool.js';
import type { AnyRule } from '../engine/rule.js';
import { defaultSettings, parseSettings, SettingsError, type ClientSettings } from './settings.js';
import { uriToPath } from './uri.js';
import { isOneShotPath } from '../engine/facts/one-shot.js';

// phpleak.json (the CLI's file, found upward from the document) plus the client's phpleak.*
// settings. A bad file or bad settings: one warning to the user, and the last good values stay.
// Every change bumps `gen`, so results computed under an older configuration are not published.

interface LoadedFile { config: PhpleakConfig | null; mtimeMs: number; error: string | null }

export type DocumentJob = { skip: string } | { job: PoolJob };

export class ConfigStore {
  gen = 1;
  settings: ClientSettings = defaultSettings();
  private readonly files = new Map<string, LoadedFile>();
  private readonly dirs = new Map<string, string | null>();
  private readonly knownIds: Set<string>;

  constructor(
    private readonly rules: readonly AnyRule[],
    private readonly roots: () => string[],
    private readonly warn: (message: string) => void,
    private readonly changed: () => void,
  ) {
    this.knownIds = new Set([...rules.map((r) => r.meta.id), ...ENGINE_IDS]);
  }

  /** New client settings (raw `phpleak` section). Returns whether they were accepted. */
  setSettings(raw: unknown): boolean {
    let next: ClientSettings;
    try {
      next = parseSettings(raw, this.knownIds);
    } catch (e) {
      if (!(e instanceof SettingsError)) throw e;
      this.warn(`phpleak: settings: ${e.message}. The last good settings stay.`);
      return false;
    }
    if (JSON.stringify(next) === JSON.stringify(this.settings)) return true;
    this.settings = next;
    this.bump();
    return true;
  }

  /** A phpleak.json was created, changed or deleted. */
  fileChanged(path: string): void {
    this.dirs.clear();
    if (this.files.has(path)) this.load(path, true);
    this.bump();
  }

  /** What to lint for a document, or why not. */
  forDocument(uri: string, text: string): DocumentJob {
    if (!this.settings.enable) return { skip: 'disabled by phpleak.enable' };
    const path = uriToPath(uri);
    const dir = path ? dirname(path) : this.roots()[0] ?? process.cwd();
    const cfg = this.configFor(dir);
    const rel = path ? relative(cfg.root, path).split(sep).join('/') : '';
    const inside = rel !== '' && !rel.startsWith('../') && rel !== '..';
    // As for a file named on the CLI's command line: `exclude` applies, `include` does not (it
    // says what to lint when no path is given). Unlike the CLI, a file of vendor/ or
    // node_modules/ opened to be read is left alone, unless `include` names it.
    if (path && inside) {
      if (cfg.exclude.length > 0 && globMatcher(cfg.exclude)(rel)) return { skip: `excluded by ${cfg.file}` };
      const included = cfg.include !== null && globMatcher(cfg.include)(rel);
      if (!included && /(^|\/)(vendor|node_modules)\//.test(rel)) return { skip: 'dependency folder (vendor/, node_modules/)' };
    }
    const s = this.settings;
    const longRunning = s.longRunning === true
      || (inside && globMatcher(cfg.longRunning)(rel))
      || (inside && Array.isArray(s.longRunning) && globMatcher(s.longRunning)(rel));
    return {
      job: {
        path: path ?? uri, text,
        // The config's `overrides` for this path, then the client's settings on top.
        rules: ruleSettings(cfg, this.rules, s.rules, inside ? rel : undefined),
        longRunning, isTestFile: inside && isTestPath(rel),
        // An absolute path says nothing: /home/me/dev/app/src/… is not a dev/ script.
        oneShotPath: inside && isOneShotPath(rel),
        engineSeverities: engineSeverities(cfg, s.rules, inside ? rel : undefined),
        maxFileBytes: cfg.maxFileSize,
        phpVersion: composerFacts(cfg).php,
        httpRuntime: composerFacts(cfg).http,
      },
    };
  }

  /** How the first workspace folder's project serves HTTP (the project index's request-only classes). */
  httpRuntime(): HttpRuntime | null {
    return composerFacts(this.configFor(this.roots()[0] ?? process.cwd())).http;
  }

  /** The phpleak.json in force for a document (heap dumps: server/heap-evidence.ts). */
  configOf(uri: string): PhpleakConfig {
    const path = uriToPath(uri);
    return this.configFor(path ? dirname(path) : this.roots()[0] ?? process.cwd());
  }

  private configFor(dir: string): PhpleakConfig {
    let file = this.dirs.get(dir);
    if (file === undefined) {
      file = findConfigFile(dir);
      this.dirs.set(dir, file);
    }
    if (file === null) return defaultConfig(this.rootOf(dir));
    const loaded = this.files.get(file);
    if (!loaded) return this.load(file, false);
    // Clients without file watchers (Neovim 0.7) still see edits: the file's mtime is checked.
    if (mtime(file) !== loaded.mtimeMs) {
      const before = loaded.config;
      const cfg = this.load(file, true);
      if (cfg !== before) setImmediate(() => this.bump());
      return cfg;
    }
    return loaded.config ?? defaultConfig(dirname(file));
  }

  private load(file: string, reload: boolean): PhpleakConfig {
    const previous = this.files.get(file);
    const m = mtime(file);
    if (m === null) {
      // Deleted: the next lookup finds whatever config is now nearest.
      this.files.delete(file);
      this.dirs.clear();
      return defaultConfig(dirname(file));
    }
    try {
      const config = loadConfigFile(file, this.rules);
      this.files.set(file, { config, mtimeMs: m, error: null });
      return config;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const last = previous?.config ?? null;
      if (previous?.error !== e.message || !reload) {
        this.warn(`phpleak: ${e.message}. ${last ? 'The last good configuration stays.' : 'Using the defaults until it is fixed.'}`);
      }
      this.files.set(file, { config: last, mtimeMs: m, error: e.message });
      return last ?? defaultConfig(dirname(file));
    }
  }

  private rootOf(dir: string): string {
    const roots = this.roots().filter((r) => dir === r || dir.startsWith(r.endsWith(sep) ? r : r + sep));
    return roots.sort((a, b) => b.length - a.length)[0] ?? dir;
  }

  private bump(): void {
    this.gen++;
    this.changed();
  }
}

function mtime(file: string): number | null {
  try { return statSync(file).mtimeMs; } catch { return null; }
}
