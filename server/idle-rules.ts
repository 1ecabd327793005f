import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

// The rule registry of the background index's worker (server/workspace-index.ts). Loading it
// lowers the priority of the thread that loads it (that worker alone) to the lowest, so the
// index takes only CPU time nothing else wants: the analysis of the document being edited runs
// in another worker at normal priority and never waits behind the index, even on two cores.
// Linux applies setpriority() to one thread when given its id (/proc/thread-self names it);
// elsewhere the thread keeps its priority.

try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
} catch { /* no /proc, or not allowed: normal priority */ }

export { default } from '../rules/index.js';
