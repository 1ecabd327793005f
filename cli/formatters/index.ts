import type { FormatName } from '../args.js';
import type { Formatter } from '../report.js';
import { checkstyle } from './checkstyle.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';

export const FORMATTERS: Record<FormatName, Formatter> = { stylish, json, sarif, checkstyle, junit, github, gitlab };
