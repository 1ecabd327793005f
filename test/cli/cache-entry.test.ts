import { describe, expect, it } from 'vitest';
import { isCacheEntry } from '../../cli/cache-entry.js';
import { lintTextDetailed } from '../../engine/lint.js';
import { AUDIT_CONTROLLER, AUDIT_LOG, lineBuffer } from '../helpers/callers.js';
import { allIds, ruleById } from '../helpers/lint.js';

// Cached findings and summaries carry the callers' facts (engine/project-callers.ts): an entry
// written by this build is read back whole, and one of the wrong shape is a miss.

const rules = [{ rule: ruleById.get('unbounded-cache')! }];
const entryOf = (path: string, text: string) => {
  const r = lintTextDetailed({ path, text, rules, knownRuleIds: allIds, summary: true });
  return JSON.parse(JSON.stringify({ h: 'x', f: r.findings, s: r.summary })) as { f: Record<string, unknown>[]; s: { arguments: Record<string, unknown>[] } };
};

describe('cache entries with callers\' facts', () => {
  it('accepts what a lint writes: a finding with callerArguments, a summary with argument sites and a data caller', () => {
    const log = entryOf('src/Audit/AuditLog.php', AUDIT_LOG);
    expect(log.f[0]!.callerArguments).toEqual([{ calls: ['app\\audit\\auditlog::ignore'], index: 0, required: true }]);
    expect(isCacheEntry(log)).toBe(true);
    const controller = entryOf('src/Http/Controllers/AuditSettingsController.php', AUDIT_CONTROLLER);
    expect(controller.s.arguments.some((a) => Array.isArray(a.data))).toBe(true);
    expect(isCacheEntry(controller)).toBe(true);
  });
  it('rejects callerArguments and argument sites of the wrong shape', () => {
    const log = entryOf('src/Audit/AuditLog.php', AUDIT_LOG);
    expect(isCacheEntry({ ...log, f: [{ ...log.f[0], callerArguments: [{ calls: 'x', index: 0 }] }] })).toBe(false);
    const controller = entryOf('src/Http/Controllers/AuditSettingsController.php', AUDIT_CONTROLLER);
    expect(isCacheEntry({ ...controller, s: { ...controller.s, arguments: [{ call: 'a::b', sites: 1, open: [] }] } })).toBe(false);
    expect(isCacheEntry({ ...controller, s: { ...controller.s, arguments: [{ call: 'a::b', sites: 1, reach: 1, open: [0], data: [{ index: 0 }] }] } })).toBe(false);
  });
  it('reads back the classes that keep a created instance, and rejects them in the wrong shape', () => {
    const text = '<?php\nnamespace App\\Mail;\nfinal class Envelope\n{\n    private $headers;\n\n    public function __construct() { $this->headers = new HeaderBag(); }\n}\n';
    const entry = entryOf('src/Mail/Envelope.php', text) as unknown as { s: { creates: Record<string, unknown>[] } };
    expect(entry.s.creates).toEqual([{ cls: 'App\\Mail\\HeaderBag', kept: false, by: ['App\\Mail\\Envelope'] }]);
    expect(isCacheEntry(entry)).toBe(true);
    expect(isCacheEntry({ ...entry, s: { ...entry.s, creates: [{ cls: 'App\\Mail\\HeaderBag', kept: false, by: 'App\\Mail\\Envelope' }] } })).toBe(false);
  });

  it('reads back the sites that hand on a parameter, and rejects one without the parameter it hands on', () => {
    const buffer = entryOf('src/Mail/Stream/LineBuffer.php', lineBuffer());
    const sites = buffer.s.arguments.find((a) => a.call === '->filterfor')!;
    expect((sites.passedOn as unknown[]).length).toBe(2);
    expect(isCacheEntry(buffer)).toBe(true);
    const broken = { ...sites, passedOn: [{ index: 0, range: (sites.passedOn as { range: unknown }[])[0]!.range }] };
    expect(isCacheEntry({ ...buffer, s: { ...buffer.s, arguments: [broken] } })).toBe(false);
  });
});
