import { projectHttpRuntime } from '../engine/config.js';
import { enrich, ProjectIndex } from '../engine/project-index.js';
import type { FileOutcome } from './lint-files.js';
import type { RunSettings } from './settings.js';

// The cross-file pass of a run (engine/project-index.ts): once every file is linted, the
// summaries of the files of this run form the index, and findings of `crossFile` rules in a
// class that long-running code in another of these files keeps alive are raised and explained.
// Related locations in other files use the paths shown in the report.

export function applyCrossFile(outcomes: FileOutcome[], settings: RunSettings): void {
  const index = new ProjectIndex();
  index.httpRuntime = projectHttpRuntime(settings.cfg);
  for (const o of outcomes) if (o.summary) index.set({ ...o.summary, path: o.target.display });
  if (index.size < 2) return;
  const rules = new Map(settings.registry.map((r) => [r.meta.id, r.meta]));
  const pinnedIn = (r: RunSettings['rules']) => new Set(r.filter((x) => x.severity !== undefined).map((x) => x.id));
  const pinned = pinnedIn(settings.rules);
  for (const o of outcomes) {
    if (!o.summary || o.findings.length === 0) continue;
    // `overrides` may pin a rule's severity for some files only.
    const own = settings.forFile(o.target.abs).rules;
    o.findings = enrich(o.target.display, o.findings, index, { rules, pinned: own === settings.rules ? pinned : pinnedIn(own) });
  }
}
