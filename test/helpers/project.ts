import type { HttpRuntime } from '../../engine/http-runtime.js';
import { lintTextDetailed, type LintRequest } from '../../engine/lint.js';
import { ProjectIndex } from '../../engine/project-index.js';
import type { Finding } from '../../engine/types.js';
import { allIds } from './lint.js';

/** Lints `files` (path → text) into one project index, as the CLI's cross-file pass does; returns it with each file's own findings. */
export function indexFiles(files: Record<string, string>, rules: LintRequest['rules'], httpRuntime: HttpRuntime | null = null): { index: ProjectIndex; found: Map<string, Finding[]> } {
  const index = new ProjectIndex();
  index.httpRuntime = httpRuntime;
  const found = new Map<string, Finding[]>();
  for (const [path, text] of Object.entries(files)) {
    const r = lintTextDetailed({ path, text, rules, knownRuleIds: allIds, summary: true });
    index.set(r.summary!);
    found.set(path, r.findings);
  }
  return { index, found };
}
