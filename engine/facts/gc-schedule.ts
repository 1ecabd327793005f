import type { Call, PhpNode } from '../nodes.js';
import { closestAncestor } from './ancestry.js';
import type { Facts } from './index.js';

// Code that runs gc_collect_cycles() again and again collects reference cycles on its own
// schedule: an event-loop server's periodic timer (`$loop->addPeriodicTimer(30, fn () =>
// gc_collect_cycles())`), a worker loop that collects after each job. It runs whether or not the
// automatic collector is enabled (php-memory-facts.md), so every cycle the code makes is freed
// within one period: gc-disabled and circular-reference read this.

/** The file's gc_collect_cycles() calls that repeat: in a closure (a timer's or a tick's callback) or a loop. */
export function scheduledCollections(facts: Facts): Call[] {
  return (facts.functionCalls.get('gc_collect_cycles') ?? []).filter((c) => closestAncestor(c, repeats) !== null);
}

function repeats(n: PhpNode): boolean {
  return n.kind === 'closure' || n.kind === 'arrowfunc' || n.kind === 'for' || n.kind === 'foreach' || n.kind === 'while' || n.kind === 'do';
}
