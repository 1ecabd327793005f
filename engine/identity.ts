import { createHash } from 'node:crypto';
import type { Finding } from './types.js';

// One finding identity (DESIGN §7), shared by the baseline (engine/baseline.ts), SARIF
// `partialFingerprints` and GitLab `fingerprint` (cli/report.ts): the rule, the file relative to
// the project root, the line-free message and the normalised code at the finding. Nothing in it
// is a position or depends on the working directory, so an identity survives lines inserted
// above, re-indentation and runs from another folder or over a subset of files; it changes when
// the code at the finding, the message (a renamed variable, another rule version) or the file's
// path changes.

export interface FindingIdentity {
  rule: string;
  /** `/`-separated, relative to the project root (the config's or the baseline's folder). */
  file: string;
  /** Line-free by contract (engine/rule.ts RuleMeta.messages). */
  message: string;
  /** `codeHash` of the code at the finding. */
  code: string;
}

/**
 * How many characters of normalised code count: a finding whose range is a whole block is
 * identified by its start, so an edit deep inside the block does not make it a new finding.
 */
const MAX_CODE = 240;

/**
 * The finding's source text with all whitespace removed (so re-indenting, re-wrapping and
 * `$a=1` → `$a = 1` change nothing), cut to its first 240 characters. Empty for an empty range
 * or when the text is not known.
 */
export function normalisedCode(text: string | undefined, f: Pick<Finding, 'range'>): string {
  if (text === undefined) return '';
  return text.slice(f.range.start.offset, f.range.end.offset).replace(/\s+/g, '').slice(0, MAX_CODE);
}

/** A short, stable hash of normalised code (16 hex digits of SHA-256): what baselines store. */
export function codeHash(code: string): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 16);
}

export function identityOf(file: string, f: Pick<Finding, 'ruleId' | 'message' | 'range'>, text: string | undefined): FindingIdentity {
  return { rule: f.ruleId, file, message: f.message, code: codeHash(normalisedCode(text, f)) };
}

/** The identity as one string (a map key). */
export function identityKey(id: FindingIdentity): string {
  return `${id.file}\0${id.rule}\0${id.message}\0${id.code}`;
}

/**
 * Fingerprints of one file's findings for CI (SARIF partialFingerprints, GitLab fingerprint):
 * SHA-256 of the identity plus an occurrence number among findings of the same identity in the
 * file (in position order), so identical findings on identical code stay distinct.
 */
export function fingerprints(file: string, text: string | undefined, findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const key = identityKey(identityOf(file, f, text));
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash('sha256').update(`${key}\0${n}`).digest('hex');
  });
}
