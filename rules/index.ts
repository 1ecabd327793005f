import type { AnyRule } from '../engine/rule.js';
import domLoadLargeXml from './dom-load-large-xml.js';
import queryLogEnabled from './query-log-enabled.js';
import ormIdentityMapGrowth from './orm-identity-map-growth.js';
import arrayMergeInLoop from './array-merge-in-loop.js';
import ffiUnownedAllocation from './ffi-unowned-allocation.js';
import copyOnWriteArrayParam from './copy-on-write-array-param.js';
import generatorUnclosedResource from './generator-unclosed-resource.js';
import fileReadIntoArray from './file-read-into-array.js';
import gcDisabled from './gc-disabled.js';
import memoryLimitDisabled from './memory-limit-disabled.js';
import evalInLoop from './eval-in-loop.js';
import unboundedLogBuffer from './unbounded-log-buffer.js';
import circularReference from './circular-reference.js';
import resourceNotClosed from './resource-not-closed.js';
import unboundedCache from './unbounded-cache.js';
import serviceStateWithoutReset from './service-state-without-reset.js';
import listenerInLoop from './listener-in-loop.js';
import bufferNeverTrimmed from './buffer-never-trimmed.js';
// THE registry: one import and one entry per rule. A test checks that every entry has its
// docs (rules/<id>.md) and fixtures (fixtures/rules/<id>/), and that nothing else exists.

const registry = [
  domLoadLargeXml,
  queryLogEnabled,
  ormIdentityMapGrowth,
  arrayMergeInLoop,
  ffiUnownedAllocation,
  copyOnWriteArrayParam,
  resourceNotClosed,
  unboundedCache,
  circularReference,
  generatorUnclosedResource,
  fileReadIntoArray,
  evalInLoop,
  memoryLimitDisabled,
  gcDisabled,
  unboundedLogBuffer,
  serviceStateWithoutReset,
  listenerInLoop,
  bufferNeverTrimmed,
] as const satisfies readonly AnyRule[];

export type RuleId = (typeof registry)[number]['meta']['id'];
export const rules: readonly AnyRule[] = registry;
export default rules;
