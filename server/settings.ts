import { SEVERITIES } from '../engine/types.js';
import type { RuleLevel } from '../engine/config.js';

// Client settings, section `phpleak` (workspace/configuration, didChangeConfiguration, or
// initializationOptions.settings). They apply on top of phpleak.json.

export interface ClientSettings {
  /** false: no diagnostics at all. */
  enable: boolean;
  /** Rule id → severity or "off", over phpleak.json. */
  rules: Record<string, RuleLevel>;
  /** Changes closer than this (ms) are analysed together after this quiet time; a change after a pause at once (server/scheduler.ts). */
  debounceMs: number;
  /** true: every file runs in a long-running process; globs: these files do (with phpleak.json's). */
  longRunning: boolean | string[];
}

export const DEFAULT_DEBOUNCE_MS = 15;

export function defaultSettings(): ClientSettings {
  return { enable: true, rules: {}, debounceMs: DEFAULT_DEBOUNCE_MS, longRunning: false };
}

export class SettingsError extends Error {
  constructor(readonly key: string, readonly expected: string) {
    super(`${key}: ${expected}`);
    this.name = 'SettingsError';
  }
}

const LEVELS: readonly string[] = [...SEVERITIES, 'off'];

/** Validates the `phpleak` section; missing keys take defaults. Throws SettingsError naming the key. */
export function parseSettings(raw: unknown, knownIds: ReadonlySet<string>): ClientSettings {
  const s = defaultSettings();
  if (raw === undefined || raw === null) return s;
  const fail = (key: string, expected: string, got: unknown): never => {
    throw new SettingsError(`phpleak.${key}`, `expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
  };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new SettingsError('phpleak', `expected an object, got ${JSON.stringify(raw)}`);
  const o = raw as Record<string, unknown>;
  if (o.enable !== undefined) {
    if (typeof o.enable !== 'boolean') fail('enable', 'true or false', o.enable);
    s.enable = o.enable as boolean;
  }
  if (o.debounceMs !== undefined) {
    const v = o.debounceMs;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 10_000) fail('debounceMs', 'a number of milliseconds from 0 to 10000', v);
    s.debounceMs = v as number;
  }
  if (o.longRunning !== undefined) {
    const v = o.longRunning;
    if (typeof v === 'boolean') s.longRunning = v;
    else if (Array.isArray(v) && v.every((g) => typeof g === 'string' && g !== '')) s.longRunning = v as string[];
    else fail('longRunning', 'true, false or an array of globs', v);
  }
  if (o.rules !== undefined) {
    const v = o.rules;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('rules', 'an object of rule id to severity or "off"', v);
    for (const [id, level] of Object.entries(v as Record<string, unknown>)) {
      if (!knownIds.has(id)) fail(`rules.${id}`, `a known rule id (one of ${[...knownIds].sort().join(', ')})`, id);
      if (typeof level !== 'string' || !LEVELS.includes(level)) fail(`rules.${id}`, LEVELS.map((l) => `"${l}"`).join(', '), level);
      s.rules[id] = level as RuleLevel;
    }
  }
  return s;
}
