import { parentPort } from 'node:worker_threads';
import { serveLintJobs } from '../engine/lint-serve.js';
import rules from '../rules/index.js';

// A lint worker thread of the single executable: its source is an asset of the executable,
// evaluated in each thread (there is no lint-worker.js on disk to start), with the rules
// bundled in.

if (parentPort) serveLintJobs(parentPort, rules);
