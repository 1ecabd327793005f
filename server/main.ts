#!/usr/bin/env node
import { createRequire } from 'node:module';
import { createConnection } from 'vscode-languageserver/node.js';
import { bundled } from '../engine/bundle.js';
import { serverCapabilities } from './capabilities.js';
import { registerCodeActions } from './code-action.js';
import { configurationInitialized, registerConfiguration } from './configuration.js';
import { registerDidChange } from './did-change.js';
import { registerDidClose } from './did-close.js';
import { registerDidOpen } from './did-open.js';
import { registerDidSave } from './did-save.js';
import { registerDebugStats } from './debug-stats.js';
import { registerHover } from './hover.js';
import { lifecycleGate } from './lifecycle.js';
import { registerPullDiagnostics } from './pull-diagnostics.js';
import { Server } from './server.js';
import { stdioTransport } from './transport.js';

// phpleak-lsp: wires the connection. Each LSP method lives in its own file.

const version = bundled?.version ?? (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
const args = process.argv.slice(2);
if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(`phpleak-lsp ${version}\n`);
  process.exit(0);
}
if (args.includes('--help') || args.includes('-h') || !args.includes('--stdio')) {
  process.stdout.write('Usage: phpleak-lsp --stdio\n\nThe phpleak language server, speaking LSP over standard input and output.\nSee docs/editors.md for editor set-ups.\n');
  process.exit(args.includes('--help') || args.includes('-h') ? 0 : 2);
}

const { reader, writer } = stdioTransport();
const gate = lifecycleGate(reader, writer);
const connection = createConnection(gate.reader, writer);

// stdout carries the protocol: anything printed with console.* goes to the client's log instead.
console.log = (...a: unknown[]) => connection.console.log(a.map(String).join(' '));
console.info = (...a: unknown[]) => connection.console.info(a.map(String).join(' '));
console.warn = (...a: unknown[]) => connection.console.warn(a.map(String).join(' '));
console.error = (...a: unknown[]) => connection.console.error(a.map(String).join(' '));
console.debug = console.log;

const server = new Server(connection);

connection.onInitialize((params) => {
  server.initialize(params);
  return { capabilities: serverCapabilities(server.caps), serverInfo: { name: 'phpleak-lsp', version } };
});
// No warm-up job: the first didOpen starts the first worker, and a warm-up running beside it
// would start a second one (tens of MB) that a single edited file never needs.
connection.onInitialized(() => configurationInitialized(server));
connection.onShutdown(() => server.close());

registerDidOpen(server);
registerDidChange(server);
registerDidClose(server);
registerDidSave(server);
registerPullDiagnostics(server);
registerCodeActions(server);
registerHover(server);
registerConfiguration(server);
registerDebugStats(server);

// A bug in one handler must not take the server down: vscode-jsonrpc answers a throwing request
// handler with an error; anything escaping elsewhere is logged and the server goes on.
process.on('uncaughtException', (e) => server.log('error', `phpleak-lsp: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => server.log('error', `phpleak-lsp: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));

// The client went away without `exit`: stop (0 if it had asked for shutdown). A write to a closed
// stdout (EPIPE) means the same, and must not loop through the error logging above.
const gone = (): never => process.exit(gate.phase === 'shut-down' ? 0 : 1);
process.stdin.on('end', gone);
process.stdout.on('error', gone);

connection.listen();
