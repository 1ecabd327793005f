import { posix, relative, sep } from 'node:path';
import { globMatcher } from '../config.js';
import { isFunctionLike, isLoop, type Call, type Loop, type New, type PhpNode } from '../nodes.js';
import { closestAncestor, enclosingLoops, isWithin } from './ancestry.js';
import { importsAt, resolveClassName, shortClassName as shortName } from './imports.js';
import { argumentAt, callReceiver, literalValue, methodName, stringValue, thisPropertyName, typeNames, varName } from './names.js';

// Is this file code that runs in a long-running process (a queue worker, a daemon, an
// application server, a console command)? There a leak is not wiped at the end of a request:
// it accumulates until the process dies. Heuristics are documented in docs/long-running.md;
// each one needs evidence that is rare outside such code, so a plain script or controller
// stays at the rules' default severities.

export type LongRunningKind =
  /** an endless (or stop-flag) loop that receives work: `while (true) { $job = $queue->pop(); … }` */
  | 'worker-loop'
  /** signal handling or forking: `pcntl_signal`, `pcntl_fork`, `pcntl_async_signals` */
  | 'process-control'
  /** Symfony Messenger handler: `#[AsMessageHandler]`, `MessageHandlerInterface` */
  | 'message-handler'
  /** Laravel queued job/listener: `implements ShouldQueue` */
  | 'queue-job'
  /** Symfony/Laravel console command that loops or has a daemon option */
  | 'console-command'
  /**
   * a console command whose only evidence is a batch over rows or lines it does not bound: it
   * grows with its input and then ends, so findings are raised to warning at most (engine/lint.ts),
   * never to error ("grows until it dies")
   */
  | 'batch-command'
  /** listener of worker lifecycle events (Octane, Messenger worker, Laravel queue events) */
  | 'worker-listener'
  /** ReactPHP / Amp / Revolt event loop */
  | 'event-loop'
  /** Swoole/OpenSwoole/RoadRunner/Workerman/FrankenPHP/ReactPHP/Amp server or worker */
  | 'app-server'
  /** `set_time_limit(0)` together with an endless loop */
  | 'no-time-limit-loop';

export interface LongRunningReason {
  kind: LongRunningKind;
  /** The evidence (a loop, a call, a class, an attribute). */
  node: PhpNode;
  /** A noun phrase for messages: "a Symfony Messenger handler", "a worker loop around `pop()`". */
  label: string;
}

/** Methods that receive the next unit of work; in an endless loop they make it a worker loop. */
const RECEIVE_METHODS = new Set([
  'receive', 'reserve', 'accept', 'waitrequest', 'waitpayload', 'getnextjob', 'nextjob', 'nextmessage',
  'fetchmessage', 'blpop', 'brpop', 'brpoplpush', 'blmove', 'bzpopmin', 'bzpopmax', 'xread', 'xreadgroup',
]);
/** Generic names (SplStack::pop, SplQueue::dequeue, a lexer's consume) that count only on a queue-like receiver. */
const QUEUE_METHODS = new Set(['pop', 'dequeue', 'consume']);
const QUEUE_RECEIVER = /queue|job|broker|consumer|redis|beanstalk|amqp|kafka|sqs/i;
const RECEIVE_FUNCTIONS = new Set(['socket_accept', 'stream_socket_accept', 'msg_receive', 'stream_select', 'socket_select']);
/** Waiting for readiness is a worker loop only in an endless loop (a prompt waits on STDIN with it too). */
const SELECT_FUNCTIONS = new Set(['stream_select', 'socket_select']);
const SIGNAL_FUNCTIONS = new Set(['pcntl_signal', 'pcntl_async_signals', 'pcntl_signal_dispatch']);
/** Event-loop calls that run the loop or schedule work forever (`Loop::defer()` alone is a library running inside someone's loop). */
const EVENT_LOOP_METHODS = new Set(['run', 'addperiodictimer', 'repeat', 'get', 'create']);
/** Names of stop flags in `while (!$this->shouldQuit)`, `while ($running)`. */
const STOP_FLAG = /^(should)?(quit|stop|exit|terminate)$|^(is|keep)?(running|alive)$|^(shutdown|stop|quit|terminate)(requested|signal(l)?ed)?$|^stopped$/i;

/** Options of commands that keep running (`--daemon`, `{--loop}`, `addOption('forever')`). */
const DAEMON_OPTION = /(^|\{--?|\s--)(daemon|loop|forever|watch|keep-alive)\b/i;
/** Reading a data file whole or as records: an import's input. */
const BATCH_READ_FUNCTIONS = new Set(['simplexml_load_file', 'fgetcsv', 'str_getcsv']);
/** Reading line by line: unbounded input when done in a loop. */
const LINE_READ_FUNCTIONS = new Set(['fgets', 'stream_get_line', 'fread']);
/** Streaming rows of a table or records of a file (Eloquent cursors and chunks, Doctrine iterables, SplFileObject, XMLReader). */
const BATCH_METHODS = new Set(['cursor', 'lazy', 'lazybyid', 'lazybyiddesc', 'chunk', 'chunkbyid', 'eachbyid', 'toiterable', 'iterate', 'fgetcsv']);
/** Writes of an import, in a loop: `persist()`/`flush()` per row. */
const BATCH_WRITE_METHODS = new Set(['persist', 'flush', 'save', 'insert', 'upsert', 'updateorcreate', 'firstorcreate']);

const EVENT_LOOP_CLASSES = new Set(['React\\EventLoop\\Loop', 'React\\EventLoop\\Factory', 'Revolt\\EventLoop', 'Amp\\Loop']);
const WORKER_EVENT = /^(Laravel\\Octane\\Events\\|Symfony\\Component\\Messenger\\Event\\Worker|Illuminate\\Queue\\Events\\(JobProcessing|JobProcessed|JobExceptionOccurred|Looping|WorkerStopping))/;

function serverLabel(fqn: string): string | null {
  const lower = fqn.toLowerCase();
  if (/^(open)?swoole\\(.+\\)?server$/.test(lower) || /^swoole_(http_|websocket_)?server$/.test(lower)) return `a Swoole server (\`${shortName(fqn)}\`)`;
  if (lower.startsWith('spiral\\roadrunner\\') && /worker$/.test(lower)) return 'a RoadRunner worker';
  if (lower === 'workerman\\worker') return 'a Workerman worker';
  if (/^react\\(http\\(http)?server|http\\server|socket\\(socket|tcp|unix|secure)?server)$/.test(lower)) return 'a ReactPHP server';
  if (/^amp\\http\\server\\(socket)?httpserver$/.test(lower)) return 'an Amp HTTP server';
  return null;
}

/**
 * Collects evidence of long-running code during the engine's walk. `reasons` is complete
 * after the program node is exited (`finish()`); rules read it from `program:exit`.
 */
export class LongRunningDetector {
  readonly reasons: LongRunningReason[] = [];
  private endlessLoop: Loop | null = null;
  private noTimeLimit: Call | null = null;
  /** `pcntl_fork()` outside a loop (a test forking once): evidence only with an endless loop. */
  private fork: Call | null = null;
  /** Signal handling (`pcntl_signal`, `pcntl_async_signals`): a daemon's only with a loop that waits for work or a stop flag. */
  private signal: { call: Call; fn: string } | null = null;
  /** A stop-flag loop (`while (!$this->shouldStop)`). */
  private stopFlagLoop: Loop | null = null;
  /** A console command class: long-running only with evidence of a loop or unbounded input. */
  private command: PhpNode | null = null;
  /** A command option that keeps it running (`--daemon`, `{--loop}`). */
  private daemonOption: PhpNode | null = null;
  /** A batch over rows or lines: the command grows with its input, then ends. */
  private batch: PhpNode | null = null;
  private finished = false;

  /** Some evidence has been seen (final once the walk is over). */
  get detected(): boolean { return this.reasons.length > 0; }

  /** The first piece of evidence, for messages. */
  get primary(): LongRunningReason | null { return this.reasons[0] ?? null; }

  /** All reasons found so far are final (the program node has been exited). */
  get complete(): boolean { return this.finished; }

  /**
   * Collector hook. Evidence is a heuristic: a node php-parser built oddly from broken code is
   * simply not evidence, and must never stop the walk that every rule depends on.
   */
  enter(node: PhpNode): void {
    try { this.collect(node); } catch { /* not evidence */ }
  }

  // Names are resolved at the entered node: its children get their parent links only after it.
  private collect(node: PhpNode): void {
    switch (node.kind) {
      case 'call': this.onCall(node); return;
      case 'new': this.onNew(node); return;
      case 'while': case 'do': case 'for':
        if (!this.endlessLoop && isEndless(node)) this.endlessLoop = node;
        if (!this.stopFlagLoop && isStopFlagLoop(node)) this.stopFlagLoop = node;
        return;
      case 'string':
        // `addOption('daemon')`, `{--loop}` in a Laravel signature: a command that keeps running.
        if (!this.daemonOption && DAEMON_OPTION.test(node.value)) this.daemonOption = node;
        return;
      case 'class': this.onClass(node); return;
      case 'attribute': {
        const fqn = resolveClassName(node.name, node);
        if (fqn === 'Symfony\\Component\\Messenger\\Attribute\\AsMessageHandler') this.add('message-handler', node, 'a Symfony Messenger handler');
        else if (fqn === 'Symfony\\Component\\Console\\Attribute\\AsCommand') this.command ??= node;
        return;
      }
      case 'parameter':
        for (const t of typeNames(node.type)) {
          const fqn = resolveClassName(t, node);
          if (WORKER_EVENT.test(fqn)) { this.add('worker-listener', node, `a listener of worker events (\`${shortName(fqn)}\`)`); break; }
        }
        return;
      default:
        return;
    }
  }

  /** Called when the program node is exited: combines evidence that needs the whole file. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.fork && this.endlessLoop) this.add('process-control', this.fork, 'a process that forks workers (`pcntl_fork()`)');
    // A signal handler alone is a command that stops cleanly (Symfony Console installs one for
    // every command): a daemon's only with a loop that runs until told to stop.
    if (this.signal && (this.endlessLoop || this.stopFlagLoop)) this.add('process-control', this.signal.call, `a process that handles signals (\`${this.signal.fn}()\`)`);
    // A console command ends when its work is done: one-shot commands (help, route:list,
    // migrate, lint) are not long-running. It is when it loops, has a daemon option, or
    // consumes rows or lines it does not bound.
    if (this.command && (this.daemonOption || this.endlessLoop || this.stopFlagLoop || this.reasons.some((r) => r.kind === 'worker-loop'))) {
      this.add('console-command', this.command, 'a console command');
    } else if (this.command && this.batch) {
      this.add('batch-command', this.command, 'a console command that runs over all the rows or lines of its input');
    }
    if (this.noTimeLimit && this.endlessLoop && !this.reasons.some((r) => r.kind === 'worker-loop')) {
      this.add('no-time-limit-loop', this.endlessLoop, 'a script without a time limit that loops forever (`set_time_limit(0)`)');
    }
  }

  private add(kind: LongRunningKind, node: PhpNode, label: string): void {
    // One reason per kind is enough for messages; keep the first (earliest in the file).
    if (this.reasons.some((r) => r.kind === kind)) return;
    this.reasons.push({ kind, node, label });
  }

  private onClass(node: Extract<PhpNode, { kind: 'class' }>): void {
    if (node.extends && node.extends.kind === 'name') {
      const base = resolveClassName(node.extends.name, node);
      if (base === 'Symfony\\Component\\Console\\Command\\Command' || base === 'Illuminate\\Console\\Command') {
        this.command ??= node;
      }
    }
    for (const i of node.implements ?? []) {
      if (i.kind !== 'name') continue;
      const fqn = resolveClassName(i.name, node);
      if (/^Illuminate\\Contracts\\Queue\\ShouldQueue/.test(fqn)) this.add('queue-job', node, 'a Laravel queued job');
      else if (fqn === 'Symfony\\Component\\Messenger\\Handler\\MessageHandlerInterface' || fqn === 'Symfony\\Component\\Messenger\\Handler\\MessageSubscriberInterface') {
        this.add('message-handler', node, 'a Symfony Messenger handler');
      }
    }
  }

  private onNew(node: New): void {
    if (node.what.kind !== 'name') return;
    const label = serverLabel(resolveClassName(node.what.name, node));
    if (label) this.add('app-server', node, label);
  }

  private onCall(call: Call): void {
    const w = call.what;
    if (w.kind === 'name') {
      const fn = resolveFunctionName(w.name, call);
      if (SIGNAL_FUNCTIONS.has(fn)) {
        // Restoring the default handler or turning async signals off is not a daemon's doing.
        const arg = argumentAt(call, fn === 'pcntl_signal' ? 1 : 0);
        const off = fn === 'pcntl_signal' ? !!arg && arg.kind === 'name' && /^\\?SIG_DFL$/.test(arg.name) : fn === 'pcntl_async_signals' && literalValue(arg) === false;
        if (off) { /* not a daemon's doing */ }
        else if (fn === 'pcntl_signal_dispatch' && enclosingLoops(call).length > 0) this.add('process-control', call, 'a process that dispatches signals in its loop (`pcntl_signal_dispatch()`)');
        else this.signal ??= { call, fn };
      } else if (fn === 'pcntl_fork') {
        if (enclosingLoops(call).length > 0) this.add('process-control', call, 'a process that forks workers (`pcntl_fork()` in a loop)');
        else this.fork ??= call;
      }
      else if (fn === 'frankenphp_handle_request') this.add('app-server', call, 'a FrankenPHP worker');
      else if (fn === 'swoole\\coroutine\\run' || fn === 'co\\run') this.add('app-server', call, 'a Swoole coroutine program');
      else if (fn === 'set_time_limit' && isZero(argumentAt(call, 0))) this.noTimeLimit = call;
      else if (fn === 'ini_set' && stringValue(argumentAt(call, 0)) === 'max_execution_time' && isZero(argumentAt(call, 1))) this.noTimeLimit = call;
      else if (RECEIVE_FUNCTIONS.has(fn)) this.checkWorkerLoop(call, `${fn}()`, !SELECT_FUNCTIONS.has(fn));
      if (!this.batch && (BATCH_READ_FUNCTIONS.has(fn) || (LINE_READ_FUNCTIONS.has(fn) && enclosingLoops(call).length > 0))) this.batch = call;
      return;
    }
    if (w.kind === 'staticlookup' && w.what.kind === 'name') {
      const cls = resolveClassName(w.what.name, call);
      const m = methodName(call) ?? '';
      if (EVENT_LOOP_CLASSES.has(cls)) {
        if (EVENT_LOOP_METHODS.has(m) && (m !== 'run' || runsTheProgram(call))) this.add('event-loop', call, `an event-loop program (\`${shortName(cls)}::${writtenMethod(call)}()\`)`);
        return;
      }
      // `Invoice::all()`: every row of a table (Eloquent), the input of a batch command.
      if (m === 'all' && call.arguments.length === 0 && !this.batch) this.batch = call;
      if (cls.toLowerCase().startsWith('spiral\\roadrunner\\') && m === 'create') { this.add('app-server', call, 'a RoadRunner worker'); return; }
      if (cls === 'Workerman\\Worker' && m === 'runall') { this.add('app-server', call, 'a Workerman worker'); return; }
    }
    const m = methodName(call);
    if (!m) return;
    if (!this.batch && (BATCH_METHODS.has(m) || (BATCH_WRITE_METHODS.has(m) && enclosingLoops(call).length > 0))) this.batch = call;
    if (m === 'waitrequest' || m === 'waitpayload') this.add('app-server', call, `a RoadRunner-style worker (\`${writtenMethod(call)}()\`)`);
    if (m === 'run') {
      const r = callReceiver(call);
      if (r && (varName(r) === 'loop' || thisPropertyName(r) === 'loop') && runsTheProgram(call)) this.add('event-loop', call, 'an event-loop program (`$loop->run()`)');
    }
    if (RECEIVE_METHODS.has(m) || (QUEUE_METHODS.has(m) && QUEUE_RECEIVER.test(receiverName(call)))) this.checkWorkerLoop(call, `${writtenMethod(call)}()`, true);
  }

  /** A receive call repeated by an endless or stop-flag loop, or in the loop's own test. */
  private checkWorkerLoop(call: Call, what: string, countsInTest: boolean): void {
    for (const loop of enclosingLoops(call)) {
      const inTest = countsInTest && (loop.kind === 'while' || loop.kind === 'do' ? isWithin(call, loop.test) : loop.kind === 'for' && loop.test.some((t) => isWithin(call, t)));
      if (isEndless(loop) || isStopFlagLoop(loop) || inTest) {
        this.add('worker-loop', loop, `a worker loop around \`${what}\``);
        return;
      }
    }
  }
}

/** `while (true)`, `while (1)`, `do … while (true)`, `for (;;)`. */
export function isEndless(loop: PhpNode): boolean {
  if (!isLoop(loop)) return false;
  if (loop.kind === 'for') return loop.test.length === 0 || (loop.test.length === 1 && isTruthyConstant(loop.test[0]!));
  if (loop.kind === 'while' || loop.kind === 'do') return isTruthyConstant(loop.test);
  return false;
}

/** `while (!$this->shouldQuit)`, `while ($this->running)`, `while (!$stop)`. */
function isStopFlagLoop(loop: Loop): boolean {
  if (loop.kind !== 'while' && loop.kind !== 'do') return false;
  let t = loop.test;
  if (t.kind === 'unary' && t.type === '!') t = t.what;
  const name = varName(t) ?? thisPropertyName(t);
  return name !== null && STOP_FLAG.test(name);
}

function isTruthyConstant(n: PhpNode): boolean {
  const v = literalValue(n);
  return v === true || v === 1;
}

function isZero(n: PhpNode | null): boolean {
  const v = literalValue(n);
  return v === 0 || v === '0';
}

/**
 * Lower-cased fully qualified name of a called function. An unqualified name that is not
 * imported with `use function` resolves to the global function (what PHP falls back to, and
 * what nearly all code means by `set_time_limit()` inside a namespace).
 */
function resolveFunctionName(written: string, at: PhpNode): string {
  if (written.startsWith('\\')) return written.slice(1).toLowerCase();
  const slash = written.indexOf('\\');
  if (slash >= 0) return resolveClassName(written, at).toLowerCase();
  // The import table is built once per namespace and cached: this runs for every call.
  const lower = written.toLowerCase();
  return importsAt(at).functions.get(lower)?.toLowerCase() ?? lower;
}

/**
 * Running the event loop at the top of a script or from a server's start method runs the
 * program; a library that runs it inside some method to wait for its own I/O (an HTTP client)
 * returns when that I/O is done.
 */
function runsTheProgram(call: Call): boolean {
  const fn = closestAncestor(call, isFunctionLike, true);
  if (!fn) return true;
  const name = fn.kind === 'function' || fn.kind === 'method' ? (typeof fn.name === 'string' ? fn.name : fn.name?.name ?? '') : '';
  return /^(main|run|start|serve|listen|execute|handle|__invoke)$/i.test(name);
}

/** A method's name as written (`getNextJob`), for messages. */
function writtenMethod(call: Call): string {
  const w = call.what;
  return (w.kind === 'propertylookup' || w.kind === 'nullsafepropertylookup' || w.kind === 'staticlookup') && w.offset.kind === 'identifier' ? w.offset.name : methodName(call) ?? '';
}

function receiverName(call: Call): string {
  let r = callReceiver(call);
  // `$this->queue->pop()`, `$this->manager->connection()->pop()`: the nearest name tells.
  while (r) {
    const n = varName(r) ?? thisPropertyName(r);
    if (n) return n;
    if (r.kind === 'propertylookup' || r.kind === 'nullsafepropertylookup') {
      if (r.offset.kind === 'identifier') return r.offset.name;
      return '';
    }
    if (r.kind === 'call') {
      const m = methodName(r);
      if (m && QUEUE_RECEIVER.test(m)) return m;
      r = callReceiver(r);
      continue;
    }
    return '';
  }
  return '';
}

// ---- config: the `longRunning` globs of phpleak.json ----

/**
 * A predicate for "this file is long-running by configuration": the config's `longRunning`
 * globs, matched against the path relative to the config root (`/`-separated). Build it once
 * per run and call it per file; paths may be absolute or relative to `root`.
 */
export function longRunningMatcher(config: { root: string; longRunning: readonly string[] }): (path: string) => boolean {
  const match = globMatcher(config.longRunning);
  if (config.longRunning.length === 0) return () => false;
  return (path) => {
    const rel = path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) ? relative(config.root, path) : path;
    return match(rel.split(sep).join(posix.sep).replace(/^\.\//, ''));
  };
}

/** Serializable summary of why a file counts as long-running (for CLI output and LSP hovers). */
export interface LongRunningVerdict {
  longRunning: boolean;
  /** The config's `longRunning` globs matched the file. */
  fromConfig: boolean;
  /** Evidence found in the code, with 1-based lines. */
  detected: { kind: LongRunningKind; label: string; line: number }[];
}
