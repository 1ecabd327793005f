#!/usr/bin/env node
// Builds phpleak as one self-contained executable (Node's single-executable applications):
//   node scripts/build-sea.mjs [out-dir]      (npm run build:sea; default out-dir: dist-sea)
// 1. esbuild bundles the CLI + language server (sea/main.ts) and the lint worker (sea/worker.ts)
//    from the TypeScript sources into two CommonJS files (SEA runs one CommonJS script);
// 2. `node --experimental-sea-config` turns them into a blob (the worker is an asset);
// 3. postject injects the blob into a copy of this node binary.
// Output: <out-dir>/phpleak-<platform>-<arch>. It runs only where it was built (linux-x64 in
// the release workflow) and needs nothing else: no node, no node_modules, no package folder.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { inject } from 'postject';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'dist-sea'));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) fail(`Node ${process.versions.node}: single-executable assets need Node 20.12 or newer`);

const name = `phpleak-${process.platform}-${process.arch}`;
const work = join(out, 'work');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// What the package folder gives a normal install (engine/bundle.ts).
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ruleDocs = {};
for (const f of readdirSync(join(root, 'rules')).sort()) if (f.endsWith('.md')) ruleDocs[f.slice(0, -3)] = readFileSync(join(root, 'rules', f), 'utf8');
const stamp = createHash('sha1');
for (const dir of ['engine', 'rules']) for (const f of listTs(join(root, dir))) stamp.update(`${relative(root, f)}\0`).update(readFileSync(f));
const facts = { version: pkg.version, ruleDocs, buildStamp: stamp.digest('hex') };

// import.meta.url has no CommonJS value: each bundled module gets the executable's own file URL
// (only used for paths that the bundle does not read: see engine/bundle.ts).
const common = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
  absWorkingDir: root, legalComments: 'none',
  // ESM builds first: jsonc-parser's UMD build loads its parts with a require() the bundler
  // cannot follow, and the executable's require() knows only built-in modules.
  mainFields: ['module', 'main'],
  define: { PHPLEAK_BUNDLE: JSON.stringify(facts), 'import.meta.url': '__phpleak_url' },
  banner: { js: 'var __phpleak_url = require("node:url").pathToFileURL(__filename).href;' },
};
await build({ ...common, entryPoints: ['sea/main.ts'], outfile: join(work, 'main.cjs') });
await build({ ...common, entryPoints: ['sea/worker.ts'], outfile: join(work, 'worker.cjs') });

const config = {
  main: join(work, 'main.cjs'),
  output: join(work, 'sea.blob'),
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
  assets: { 'worker.js': join(work, 'worker.cjs') },
};
writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: ['ignore', 'ignore', 'inherit'] });

const exe = join(out, name);
const tmp = `${exe}.tmp`;
copyFileSync(process.execPath, tmp);
chmodSync(tmp, 0o755);
await inject(tmp, 'NODE_SEA_BLOB', readFileSync(config.output), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
renameSync(tmp, exe);
rmSync(work, { recursive: true, force: true });
process.stdout.write(`${relative(process.cwd(), exe) || exe}\n`);

function listTs(dir) {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return listTs(p);
    return n.endsWith('.ts') ? [p] : [];
  });
}

function fail(message) {
  process.stderr.write(`build-sea: ${message}\n`);
  process.exit(1);
}
