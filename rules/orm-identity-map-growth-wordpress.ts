import type { Call, Loop } from '../engine/nodes.js';
import { dataSizedLoop } from '../engine/facts/data-size.js';
import { enclosingLoops, isWithin, methodName, type Facts } from '../engine/facts/index.js';

// WordPress's object cache is WordPress's identity map: without a persistent backend it is an
// array in the process (`WP_Object_Cache::$cache`), and every post a loop inserts or updates is
// read back and cached there with its meta and terms, until the request ends. An import that
// writes posts row after row (a CSV, a feed, a WP-CLI command) keeps every one of them. The
// documented remedies: `wp_suspend_cache_addition(true)` before the loop, or
// `wp_cache_flush_runtime()` (WordPress 6.0+; `wp_cache_flush()` before) every batch.

/** A WordPress import finding: the write, and why the loop runs over data. */
export interface WordPressFinding { at: Call; why: string }

/** Calls that write a post and cache it (plus its meta and terms) on the way. */
const POST_WRITES: ReadonlySet<string> = new Set(['wp_insert_post', 'wp_update_post', 'wp_insert_attachment']);
/** Calls that stop the runtime cache from keeping them. */
const CACHE_RELIEF: ReadonlySet<string> = new Set(['wp_suspend_cache_addition', 'wp_cache_flush_runtime', 'wp_cache_flush', 'wp_cache_flush_group', 'stop_the_insanity']);

export function wordpressImportFindings(facts: Facts): WordPressFinding[] {
  const writes = [...POST_WRITES].flatMap((n) => facts.functionCalls.get(n) ?? []);
  if (writes.length === 0) return [];
  // A class (or, outside classes, a function) that suspends or flushes the cache anywhere
  // manages it: the suspension may be in the method that calls the loop.
  const reliefs = [...[...CACHE_RELIEF].flatMap((n) => facts.functionCalls.get(n) ?? []),
    ...(facts.methodCalls.get('flush_runtime') ?? []), ...(facts.methodCalls.get('flush') ?? []).filter(isObjectCacheCall)];
  const out: WordPressFinding[] = [];
  const seen = new Set<Loop>();
  for (const call of writes) {
    const loops = enclosingLoops(call);
    const outer = loops[loops.length - 1];
    if (!outer || seen.has(outer)) continue;
    const scope = facts.scopeOf(call);
    const owner = scope.cls?.node ?? scope.node;
    if (reliefs.some((r) => isWithin(r, owner))) continue;
    for (const l of loops) {
      const e = dataSizedLoop(l, facts);
      if (!e) continue;
      seen.add(outer);
      out.push({ at: call, why: e.what });
      break;
    }
  }
  return out.filter((f, i) => !out.slice(0, i).some((g) => isWithin(g.at, f.at)));
}

/** `$wp_object_cache->flush()`. */
function isObjectCacheCall(c: Call): boolean {
  const w = c.what;
  return methodName(c) === 'flush' && w.kind === 'propertylookup' && w.what.kind === 'variable' && w.what.name === 'wp_object_cache';
}

