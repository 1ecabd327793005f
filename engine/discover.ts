import { existsSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { MAX_CONFIG_BYTES, readRegularFile } from './read-file.js';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { globMatcher, type PhpleakConfig } from './config.js';

// File discovery shared by the CLI and the LSP server (DESIGN §5): recursive, `*.php` plus the
// config's `extensions`, honouring .gitignore files (and .git/info/exclude) with the `ignore`
// package, skipping vendor/ and node_modules/ unless a path given points into them, applying
// the config's include/exclude globs. Symlinked folders are followed once (a loop is cut by
// remembering each folder's real path). Output is sorted, so every run sees the same order.

export interface DiscoverOptions {
  /** Paths given by the user (files or folders), relative to cwd. Empty: config include, else cwd. */
  paths: readonly string[];
  cwd: string;
  config: PhpleakConfig;
  /** Also descend into vendor/ and node_modules/. */
  includeDependencies?: boolean;
  /** Ignore .gitignore files. */
  noGitignore?: boolean;
}

export interface DiscoverResult {
  /** Absolute paths, sorted by their `/`-separated path. */
  files: string[];
  /** Given paths that do not exist. */
  missing: string[];
  /** Folders that could not be read, with the reason. */
  warnings: string[];
}

const DEPENDENCY_DIRS = new Set(['vendor', 'node_modules']);
const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.svn']);
const GLOB_CHARS = /[*?[\]{}!]/;
/**
 * Stubs generated for IDEs (barryvdh/laravel-ide-helper's `_ide_helper.php`,
 * `_ide_helper_models.php`, PhpStorm's `.phpstorm.meta.php`): never executed, so nothing in them
 * can leak, yet they hold copies of framework code (`DB::enableQueryLog()` as a facade stub).
 * Skipped in folders; linted when named.
 */
const IDE_STUB = /^(_ide_helper[\w.-]*\.php|\.phpstorm\.meta\.php)$/i;

/** `/`-separated path of `abs` relative to `root` ('' for root itself). */
export function toRelative(root: string, abs: string): string {
  const r = relative(root, abs);
  return sep === '/' ? r : r.split(sep).join('/');
}

export function discoverFiles(opts: DiscoverOptions): DiscoverResult {
  const cfg = opts.config;
  const root = cfg.root;
  const excluded = globMatcher(cfg.exclude);
  const extensions = new Set(cfg.extensions.map((e) => e.toLowerCase()));
  const out = new Set<string>();
  const missing: string[] = [];
  const warnings: string[] = [];
  const gitignore = opts.noGitignore ? null : new GitIgnores();

  // Roots: given paths, else the config's include entries (plain paths are roots, globs filter
  // what is found under the config root), else cwd.
  // explicit: named by the user (a missing one is an error); fromConfig: an include entry.
  let roots: { abs: string; explicit: boolean; fromConfig?: boolean; filter?: (rel: string) => boolean }[];
  if (opts.paths.length > 0) {
    roots = opts.paths.map((p) => ({ abs: resolve(opts.cwd, p), explicit: true }));
  } else if (cfg.include && cfg.include.length > 0) {
    const plain = cfg.include.filter((g) => !GLOB_CHARS.test(g));
    const globs = cfg.include.filter((g) => GLOB_CHARS.test(g));
    roots = plain.map((p) => ({ abs: resolve(root, p), explicit: true, fromConfig: true }));
    if (globs.length > 0) {
      const m = picomatch(globs, { dot: true });
      roots.push({ abs: root, explicit: false, filter: (rel) => m(rel) });
    }
  } else {
    roots = [{ abs: resolve(opts.cwd), explicit: false }];
  }

  const isExcluded = (abs: string): boolean => {
    const rel = toRelative(root, abs);
    return !rel.startsWith('..') && rel !== '' && excluded(rel);
  };
  const hasExtension = (name: string): boolean => {
    const dot = name.lastIndexOf('.');
    return dot > 0 && extensions.has(name.slice(dot + 1).toLowerCase());
  };

  for (const r of roots) {
    let st;
    try {
      st = statSync(r.abs);
    } catch {
      if (r.fromConfig) warnings.push(`"include" entry ${r.abs} of ${cfg.file ?? 'the configuration'} does not exist`);
      else if (r.explicit) missing.push(r.abs);
      continue;
    }
    if (st.isFile()) {
      // A file named explicitly is linted whatever its extension or .gitignore say (the user
      // asked for it), but the config's exclude still applies: hooks pass file names too.
      if (!isExcluded(r.abs)) out.add(r.abs);
      continue;
    }
    if (!st.isDirectory()) {
      warnings.push(`${r.abs}: not a regular file; not linted`);
      continue;
    }
    // Walking into vendor/ is fine when the given path itself is inside it.
    const insideDeps = opts.includeDependencies || toRelative(root, r.abs).split('/').some((s) => DEPENDENCY_DIRS.has(s))
      || relative(opts.cwd, r.abs).split(sep).some((s) => DEPENDENCY_DIRS.has(s));
    walkDir(r.abs, {
      allowDeps: insideDeps, isExcluded, hasExtension, gitignore, includeFilter: r.filter ?? null, root, out, warnings,
    });
  }

  const files = [...out].sort((a, b) => {
    const x = toRelative(root, a), y = toRelative(root, b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { files, missing, warnings };
}

interface WalkContext {
  allowDeps: boolean;
  isExcluded: (abs: string) => boolean;
  hasExtension: (name: string) => boolean;
  gitignore: GitIgnores | null;
  includeFilter: ((rel: string) => boolean) | null;
  root: string;
  out: Set<string>;
  warnings: string[];
}

function walkDir(start: string, ctx: WalkContext): void {
  const seen = new Set<string>();
  // Iterative: deep trees must not overflow the stack.
  const stack = [start];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (e) {
      ctx.warnings.push(`${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      continue;
    }
    if (seen.has(real)) continue; // a symlink loop, or a folder reached twice
    seen.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      ctx.warnings.push(`${dir}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      continue;
    }
    const sub: string[] = [];
    for (const ent of entries) {
      const abs = join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const st = statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          // A dangling link (or one into a loop): said once for names that would be linted.
          if (ctx.hasExtension(ent.name) && !ctx.isExcluded(abs) && !ctx.gitignore?.ignores(abs, false, start)) ctx.warnings.push(`${abs}: a broken symbolic link (${(e as NodeJS.ErrnoException).code ?? String(e)}); not linted`);
          continue;
        }
      }
      if (isDir) {
        if (ALWAYS_SKIPPED.has(ent.name) || IDE_STUB.test(ent.name)) continue;
        if (!ctx.allowDeps && DEPENDENCY_DIRS.has(ent.name)) continue;
        if (ctx.isExcluded(abs)) continue;
        if (ctx.gitignore?.ignores(abs, true, start)) continue;
        sub.push(abs);
      } else if (isFile) {
        if (!ctx.hasExtension(ent.name) || IDE_STUB.test(ent.name)) continue;
        if (ctx.isExcluded(abs)) continue;
        if (ctx.includeFilter && !ctx.includeFilter(toRelative(ctx.root, abs))) continue;
        if (ctx.gitignore?.ignores(abs, false, start)) continue;
        ctx.out.add(abs);
      } else if (ctx.hasExtension(ent.name) && !ctx.isExcluded(abs) && !ctx.gitignore?.ignores(abs, false, start)) {
        // A FIFO, socket or device named *.php: reading it could block forever.
        ctx.warnings.push(`${abs}: not a regular file; not linted`);
      }
    }
    // Push in reverse so folders are visited in name order (the output is sorted anyway).
    for (let i = sub.length - 1; i >= 0; i--) stack.push(sub[i]!);
  }
}

/**
 * The .gitignore files that apply to a path: those of its folder and every folder up to the
 * repository root (the folder holding .git), plus .git/info/exclude. Outside a repository,
 * those from the walked folder down apply (a project not yet under git is still filtered).
 */
export class GitIgnores {
  private readonly perDir = new Map<string, Ignore | null>();
  private readonly repoRootOf = new Map<string, string | null>();

  /** `start`: the folder the walk began in; outside a repository, .gitignore files above it do not apply. */
  ignores(abs: string, isDir: boolean, start?: string): boolean {
    const dir = dirname(abs);
    const repo = this.repoRoot(dir);
    const top = repo ?? start ?? null;
    // Check from the top-most applicable folder down; a later file can re-include (`!x`).
    const chain: string[] = [];
    for (let d = dir; ; d = dirname(d)) {
      chain.push(d);
      if (d === top || dirname(d) === d) break;
    }
    let ignored = false;
    for (let i = chain.length - 1; i >= 0; i--) {
      const d = chain[i]!;
      const ig = this.load(d, d === top);
      if (!ig) continue;
      const rel = toRelative(d, abs) + (isDir ? '/' : '');
      const r = ig.test(rel);
      if (r.ignored) ignored = true;
      else if (r.unignored) ignored = false;
    }
    return ignored;
  }

  private load(dir: string, isRepoRoot: boolean): Ignore | null {
    const key = dir + (isRepoRoot ? '\0root' : '');
    if (this.perDir.has(key)) return this.perDir.get(key)!;
    let ig: Ignore | null = null;
    const files = [join(dir, '.gitignore')];
    if (isRepoRoot) files.push(join(dir, '.git', 'info', 'exclude'));
    for (const f of files) {
      let text: string;
      try {
        // A .gitignore that is a FIFO or a huge file is ignored, never waited on.
        text = readRegularFile(f, MAX_CONFIG_BYTES).toString('utf8');
      } catch {
        continue;
      }
      ig ??= ignore();
      ig.add(text);
    }
    this.perDir.set(key, ig);
    return ig;
  }

  private repoRoot(dir: string): string | null {
    if (this.repoRootOf.has(dir)) return this.repoRootOf.get(dir)!;
    const found = existsSync(join(dir, '.git')) ? dir : dirname(dir) === dir ? null : this.repoRoot(dirname(dir));
    this.repoRootOf.set(dir, found);
    return found;
  }
}

/** Is `abs` a path the discovery would consider (extension, exclude, dependency folders)? Used for staged and editor files. */
export function isCandidate(abs: string, cfg: PhpleakConfig, opts: { includeDependencies?: boolean } = {}): boolean {
  const rel = isAbsolute(abs) ? toRelative(cfg.root, abs) : abs;
  const name = rel.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || !cfg.extensions.map((e) => e.toLowerCase()).includes(name.slice(dot + 1).toLowerCase())) return false;
  if (!rel.startsWith('..') && globMatcher(cfg.exclude)(rel)) return false;
  if (!opts.includeDependencies && rel.split('/').slice(0, -1).some((s) => DEPENDENCY_DIRS.has(s))) return false;
  return true;
}
