import type { Access } from '../engine/facts/access.js';
import { keyChain } from '../engine/facts/array-growth.js';
import { closestAncestor, varName, type Facts } from '../engine/facts/index.js';
import { keyProvenance, originOfName } from '../engine/facts/key-provenance.js';
import { keyParameters } from '../engine/facts/key-sources.js';
import { identifierWords } from '../engine/facts/names.js';

// unbounded-cache's questions about keys: are they names the code or its configuration
// defines (key provenance: engine/facts/key-provenance.ts), so that the store stops growing once
// each has been seen? Decision table in rules/unbounded-cache.md.

/**
 * Are all keys of the write fixed by the code or its configuration (key provenance: class and
 * method names, enum cases, configured names, files of the code base)? Under a class key
 * (`[static::class][$key]`), a key names a member of that class (a model's attribute, a
 * component's method) unless its name says it is data (`$id`, `$url`).
 */
export function keysFromCode(facts: Facts, w: Access): boolean {
  const keys = keyChain(w);
  if (keys.length === 0) return false;
  let perClass = false;
  return keys.every((k, i) => {
    if (k === false && !perClass) return false;
    // `self::$method[$class][] = …` while listing the class's members in a loop.
    if (k === false) return closestAncestor(w.node, (n) => n.kind === 'foreach' || n.kind === 'for', false) !== null;
    const p = keyProvenance(k, facts);
    if (p.origin === 'code') {
      if (i === 0 && p.isClass) perClass = true;
      return true;
    }
    if (!perClass) return false;
    // A member of a class or a file (an attribute, a method, a line): anything but identities of data.
    const name = varName(k) ?? (k.kind === 'propertylookup' && k.offset.kind === 'identifier' ? k.offset.name : null);
    return name !== null && !/^(ids?|uuid|url|uri|ip|email|user|token|request|payload|message|row|record)$/i.test(identifierWords(name).pop() ?? '');
  });
}

/** Parameter names that say "a string" without saying which: what they hold is told by the code around them. */
const GENERIC_PARAMETER = /^(value|string|str|text|word|input|subject|name)$/i;

/**
 * Are the keys of the store the public parameters of its class (followed through its helpers:
 * engine/facts/key-sources.ts), some named for names of the code (`tableize($className)`,
 * `classify($tableName)`) and the rest generic (`camelize($string)`, `pluralize($word)`)? Then
 * the class transforms one vocabulary, the identifiers of the code base, and its cache stops
 * growing once each has been seen (CakePHP's Inflector). A store keyed only by a generic
 * parameter (`Str::camel($value)`) says nothing of what it is given: that stays data, and so
 * does a sibling named for data (`$url`, `$email`).
 */
export function keysOfCodeVocabulary(facts: Facts, writes: readonly Access[]): boolean {
  const names = new Set<string>();
  for (const w of writes) {
    for (const k of keyChain(w)) {
      if (k === false) return false;
      if (keyProvenance(k, facts).origin === 'code') continue;
      const ps = keyParameters(k, facts);
      if (!ps || ps.length === 0) return false;
      for (const p of ps) names.add(p);
    }
  }
  const list = [...names];
  return list.some((n) => originOfName(n) === 'code' && !GENERIC_PARAMETER.test(n))
    && list.every((n) => GENERIC_PARAMETER.test(n) || originOfName(n) === 'code');
}
