import { join } from 'node:path';
import { MAX_CONFIG_BYTES, readRegularFile } from './read-file.js';

// The project's composer.json (next to phpleak.json, or in the working directory without one):
// what PHP versions it supports and which packages it runs on. Read as JSON only, never run.

export interface ComposerJson {
  type?: unknown;
  require?: Record<string, unknown>;
}

/** The composer.json in `root`, or null when there is none or it is not a JSON object. */
export function readComposerJson(root: string): ComposerJson | null {
  try {
    const text = readRegularFile(join(root, 'composer.json'), MAX_CONFIG_BYTES).toString('utf8');
    const raw: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
    const r = raw as ComposerJson;
    return { type: r.type, ...(r.require && typeof r.require === 'object' && !Array.isArray(r.require) ? { require: r.require } : {}) };
  } catch {
    return null;
  }
}
