import type { AnyRule } from '../engine/rule.js';
// THE registry: one import and one entry per rule. A test checks that every entry has its
// docs (rules/<id>.md) and fixtures (fixtures/rules/<id>/), and that nothing else exists.

const registry = [
] as const satisfies readonly AnyRule[];

export type RuleId = (typeof registry)[number]['meta']['id'];
export const rules: readonly AnyRule[] = registry;
export default rules;
