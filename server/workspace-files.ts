import { opendir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';

// The PHP files of the workspace folders, for the background index. vendor/, node_modules/ and
// hidden folders are skipped (as the CLI's discovery does). Symbolic links are followed, as an
// editor's file tree does (a workspace may be a folder of links to projects), but every real
// folder is walked at most once: a link to a folder that is already walked, or that contains or
// is inside one, is skipped, so a link to a parent cannot loop and no file is indexed twice.

const SKIP_DIRS = new Set(['vendor', 'node_modules']);

export interface PhpFile { path: string; mtimeMs: number; size: number }

/** Is `p` inside (or equal to) `dir`? Both real, absolute paths. */
function within(dir: string, p: string): boolean {
  const r = relative(dir, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

export async function* phpFiles(roots: readonly string[]): AsyncGenerator<PhpFile> {
  const trees: string[] = [];
  const claim = async (dir: string): Promise<boolean> => {
    let real: string;
    try { real = await realpath(dir); } catch { return false; }
    if (trees.some((t) => within(t, real) || within(real, t))) return false;
    trees.push(real);
    return true;
  };
  for (const root of roots) {
    if (!(await claim(root))) continue;
    const stack = [root];
    while (stack.length > 0) {
      const d = stack.pop()!;
      let entries;
      try { entries = await opendir(d); } catch { continue; }
      const subdirs: string[] = [];
      const files: string[] = [];
      for await (const e of entries) {
        const p = join(d, e.name);
        if (e.isSymbolicLink()) {
          const st = await stat(p).catch(() => null);
          if (st?.isDirectory()) {
            if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.') && (await claim(p))) subdirs.push(p);
          } else if (st?.isFile() && e.name.endsWith('.php')) {
            // A link to a file of a walked tree is that file, indexed under its own path.
            const real = await realpath(p).catch(() => null);
            if (real && !trees.some((t) => within(t, real))) files.push(p);
          }
        } else if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) subdirs.push(p);
        } else if (e.isFile() && e.name.endsWith('.php')) {
          files.push(p);
        }
      }
      for (const f of files.sort()) {
        const st = await stat(f).catch(() => null);
        if (st?.isFile()) yield { path: f, mtimeMs: st.mtimeMs, size: st.size };
      }
      stack.push(...subdirs.sort().reverse());
    }
  }
}
