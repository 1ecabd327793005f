#!/usr/bin/env node
// Puts the single executable into the Composer package (composer.json, bin/phpleak):
//   node scripts/composer-package.mjs <executable> [package-dir] [--level N]
// writes <package-dir>/bin/phpleak-linux-x64.gz (gzip level N, default 9) and
// <package-dir>/bin/phpleak-linux-x64.sha256 (of the executable, which bin/phpleak checks
// when it unpacks it), and, when package-dir is not this repository, copies the package's
// other files there (the release workflow's checkout of the Composer repository).
// The executable is gzipped because a git host refuses files over 100 MB (it is ~100 MB).
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const li = args.indexOf('--level');
const level = li >= 0 ? Number(args.splice(li, 2)[1]) : 9;
const [exe, pkgArg] = args;
if (!exe || !Number.isInteger(level) || level < 1 || level > 9) {
  process.stderr.write('usage: node scripts/composer-package.mjs <executable> [package-dir] [--level 1-9]\n');
  process.exit(2);
}
const pkg = resolve(pkgArg ?? root);
const FILES = ['composer.json', 'LICENSE', 'phpleak.schema.json', 'bin/phpleak', 'bin/phpleak-lsp'];

mkdirSync(join(pkg, 'bin'), { recursive: true });
if (pkg !== root) {
  for (const f of FILES) copyFileSync(join(root, f), join(pkg, f));
  copyFileSync(join(root, 'scripts', 'composer-README.md'), join(pkg, 'README.md'));
}
const sum = createHash('sha256').update(readFileSync(exe)).digest('hex');
const gz = join(pkg, 'bin', 'phpleak-linux-x64.gz');
await pipeline(createReadStream(exe), createGzip({ level }), createWriteStream(`${gz}.tmp`));
renameSync(`${gz}.tmp`, gz);
const sumFile = join(pkg, 'bin', 'phpleak-linux-x64.sha256');
writeFileSync(sumFile, `${sum}  phpleak-linux-x64\n`);
process.stdout.write(`${gz}\n`);
