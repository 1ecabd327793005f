import { describe, expect, it } from 'vitest';
import { lintTextDetailed } from '../../engine/lint.js';
import { longRunningMatcher } from '../../engine/facts/long-running.js';

// File-level detection of long-running code (engine/facts/long-running.ts, docs/long-running.md).

function verdict(body: string): { kinds: string[]; labels: string[]; lines: number[] } {
  const r = lintTextDetailed({ path: 'src/x.php', text: `<?php\n${body}\n`, rules: [] });
  expect(r.findings.filter((f) => f.ruleId === 'parse-error')).toEqual([]);
  return { kinds: r.longRunning.detected.map((d) => d.kind), labels: r.longRunning.detected.map((d) => d.label), lines: r.longRunning.detected.map((d) => d.line) };
}

const positives: [string, string, string][] = [
  ['worker-loop', 'while (true) around a queue pop', 'while (true) {\n  $job = $this->queue->pop();\n  $job->handle();\n}'],
  ['worker-loop', 'for (;;) around receive()', 'for (;;) { $m = $consumer->receive(); }'],
  ['worker-loop', 'do … while (1) around blPop', 'do { $x = $redis->blPop(["q"], 5); } while (1);'],
  ['worker-loop', 'a stop-flag loop around getNextJob()', 'class W { private bool $shouldQuit = false; function daemon() { while (!$this->shouldQuit) { $job = $this->getNextJob(); } } }'],
  ['worker-loop', 'a loop whose test accepts connections', 'while ($conn = stream_socket_accept($server)) { fwrite($conn, "hi"); }'],
  ['worker-loop', 'a loop whose test pops a job', 'while (null !== ($job = $jobQueue->pop())) { $job->run(); }'],
  ['process-control', 'pcntl_signal with a stop-flag loop', 'pcntl_signal(SIGTERM, fn () => $running = false);\nwhile ($running) { $this->tick(); }'],
  ['process-control', 'pcntl_signal_dispatch in a loop', 'foreach ($this->ticks() as $t) { pcntl_signal_dispatch(); }'],
  ['process-control', 'pcntl_fork in a loop, in a namespace', 'namespace App; for ($i = 0; $i < $n; $i++) { $pid = pcntl_fork(); }'],
  ['process-control', 'pcntl_fork with an endless loop in the file', '$pid = pcntl_fork();\nwhile (true) { sleep(1); }'],
  ['worker-loop', 'stream_select in an endless loop', 'while (true) { if (stream_select($r, $w, $e, 1)) { handle($r); } }'],
  ['message-handler', '#[AsMessageHandler] imported', 'namespace App\\Handler;\nuse Symfony\\Component\\Messenger\\Attribute\\AsMessageHandler;\n#[AsMessageHandler]\nfinal class H { public function __invoke(object $m): void {} }'],
  ['message-handler', '#[AsMessageHandler] on a method', 'namespace App;\nuse Symfony\\Component\\Messenger\\Attribute as Messenger;\nclass H { #[Messenger\\AsMessageHandler] public function on(object $m): void {} }'],
  ['message-handler', 'MessageHandlerInterface', 'use Symfony\\Component\\Messenger\\Handler\\MessageHandlerInterface;\nclass H implements MessageHandlerInterface {}'],
  ['queue-job', 'a Laravel ShouldQueue job', 'namespace App\\Jobs;\nuse Illuminate\\Contracts\\Queue\\ShouldQueue;\nclass Import implements ShouldQueue { public function handle(): void {} }'],
  ['console-command', 'a Symfony console command with an endless loop', 'use Symfony\\Component\\Console\\Command\\Command;\nclass C extends Command { function execute() { while (true) { $this->tick(); sleep(1); } } }'],
  ['console-command', 'a Laravel console command with a --daemon option', 'namespace App\\Console;\nuse Illuminate\\Console\\Command;\nclass C extends Command { protected $signature = "feeds:poll {--daemon}"; public function handle() {} }'],
  ['batch-command', '#[AsCommand] that reads a CSV line by line', 'use Symfony\\Component\\Console\\Attribute\\AsCommand;\n#[AsCommand(name: "app:x")]\nclass C { function run($h) { while (($row = fgetcsv($h)) !== false) { $this->import($row); } } }'],
  ['batch-command', 'a command that walks a table with cursor()', 'use Illuminate\\Console\\Command;\nclass C extends Command { public function handle() { foreach (User::query()->cursor() as $u) { $u->touch(); } } }'],
  ['batch-command', 'a command that persists in a loop', 'use Symfony\\Component\\Console\\Command\\Command;\nclass C extends Command { function execute() { foreach ($this->source->rows() as $r) { $this->em->persist($r); } } }'],
  ['worker-listener', 'an Octane listener', 'use Laravel\\Octane\\Events\\RequestReceived;\nclass L { public function handle(RequestReceived $e): void {} }'],
  ['worker-listener', 'a Messenger worker listener', 'use Symfony\\Component\\Messenger\\Event\\WorkerMessageHandledEvent;\nclass L { public function __invoke(WorkerMessageHandledEvent $e): void {} }'],
  ['event-loop', 'ReactPHP Loop::run()', 'use React\\EventLoop\\Loop;\nLoop::addPeriodicTimer(1, fn () => null);'],
  ['event-loop', '$loop->run()', '$loop = React\\EventLoop\\Factory::create();\n$loop->run();'],
  ['event-loop', 'Revolt EventLoop', 'use Revolt\\EventLoop;\nEventLoop::run();'],
  ['event-loop', 'a server start() method', 'class S { public function start(): void { $this->loop->run(); } }'],
  ['app-server', 'new Swoole\\Http\\Server', '$s = new Swoole\\Http\\Server("0.0.0.0", 9501);\n$s->start();'],
  ['app-server', 'new OpenSwoole\\HTTP\\Server', 'use OpenSwoole\\HTTP\\Server;\n$s = new Server("0.0.0.0", 9501);'],
  ['app-server', 'RoadRunner Worker::create()', 'use Spiral\\RoadRunner\\Worker;\n$w = Worker::create();'],
  ['app-server', 'RoadRunner waitRequest()', 'while ($req = $psr7->waitRequest()) { $psr7->respond($app->handle($req)); }'],
  ['app-server', 'Workerman', 'use Workerman\\Worker;\n$w = new Worker("http://0.0.0.0:8080");\nWorker::runAll();'],
  ['app-server', 'FrankenPHP worker', 'while (frankenphp_handle_request(fn () => null)) { gc_collect_cycles(); }'],
  ['app-server', 'Swoole coroutine run() imported as a function', 'use function Swoole\\Coroutine\\run;\nrun(function () {});'],
  ['app-server', 'ReactPHP HttpServer', 'use React\\Http\\HttpServer;\n$http = new HttpServer(fn ($r) => null);'],
  ['no-time-limit-loop', 'set_time_limit(0) + while (true)', 'set_time_limit(0);\nwhile (true) { $data = file_get_contents($url); sleep(60); }'],
];

const negatives: [string, string][] = [
  ['a lexer loop in while (true)', 'while (true) { $t = $this->lexer->next(); if ($t === null) break; }'],
  ['SplStack pop in while (true)', 'while (true) { $n = $stack->pop(); if (!$n) break; }'],
  ['a parser consume() in while (true)', 'while (true) { $this->consume(); if ($this->done) break; }'],
  ['set_time_limit(0) without an endless loop', 'set_time_limit(0);\nforeach ($rows as $r) { echo $r; }'],
  ['an endless retry loop without set_time_limit', 'while (true) { try { return $this->connect(); } catch (\\Exception $e) { usleep(100); } }'],
  ['a CQRS Command base class', 'namespace App\\Bus;\nclass CreateUser extends Command {}'],
  ['an unimported AsMessageHandler attribute', 'namespace App;\n#[AsMessageHandler]\nclass H {}'],
  ['a ShouldQueue of another vendor', 'namespace App;\nclass J implements ShouldQueue {}'],
  ['array_pop in a loop test', 'while ($job = array_pop($jobs)) { $job(); }'],
  ['$this->run() and $loop->running()', '$this->run(); if ($loop->isRunning()) {}'],
  ['receive() in a bounded for', 'for ($i = 0; $i < 3; $i++) { $m = $c->receive(); }'],
  ['a Swoole client', '$c = new Swoole\\Client(SWOOLE_SOCK_TCP);'],
  ['a test that forks once', '$pid = pcntl_fork();\nif ($pid === 0) { exit(0); }'],
  ['restoring the default signal handler', 'pcntl_signal(SIGINT, SIG_DFL); pcntl_async_signals(false);'],
  ['pcntl_async_signals() alone (a command that stops cleanly)', 'pcntl_async_signals(true);\npcntl_signal(SIGTERM, fn () => exit(0));'],
  ['a one-shot Symfony command (help, lint)', 'use Symfony\\Component\\Console\\Command\\Command;\nclass HelpCommand extends Command { function execute() { foreach ($this->getApplication()->all() as $c) { echo $c->getName(); } return 0; } }'],
  ['a one-shot Laravel command (route:list)', 'namespace App\\Console;\nuse Illuminate\\Console\\Command;\nclass RouteList extends Command { protected $signature = "route:list {--json}"; public function handle() { foreach ($this->router->getRoutes() as $r) { $this->line($r->uri()); } } }'],
  ['#[AsCommand] alone', 'use Symfony\\Component\\Console\\Attribute\\AsCommand;\n#[AsCommand(name: "app:x")]\nclass C {}'],
  ['a library that defers work to an event loop', 'use Revolt\\EventLoop;\nEventLoop::queue(fn () => null); EventLoop::defer(fn () => null);'],
  ['an HTTP client that runs the loop to wait for its responses', 'use Amp\\Loop;\nclass R { private function perform() { Loop::run(); } }'],
  ['a prompt waiting on STDIN', 'while ($isStdin && 0 === @stream_select($r, $w, $w, 0, 100)) { $r = [STDIN]; }'],
  ['a controller', 'namespace App\\Http;\nuse Symfony\\Component\\HttpFoundation\\Response;\nclass C { public function index(): Response { return new Response("x"); } }'],
];

describe('long-running detection', () => {
  for (const [kind, name, body] of positives) {
    it(`detects ${name}`, () => { expect(verdict(body).kinds).toContain(kind); });
  }
  for (const [name, body] of negatives) {
    it(`does not call ${name} long-running`, () => { expect(verdict(body).kinds).toEqual([]); });
  }
  it('reports the line of the evidence and a label for messages', () => {
    const v = verdict('$a = 1;\nwhile (true) {\n  $m = $consumer->receive();\n}');
    expect(v.lines).toEqual([3]);
    expect(v.labels[0]).toBe('a worker loop around `receive()`');
    expect(verdict('while (true) { $job = $this->getNextJob(); }').labels).toEqual(['a worker loop around `getNextJob()`']);
  });
  it('keeps one reason per kind, the first one', () => {
    const v = verdict('pcntl_signal(SIGINT, fn () => 1);\npcntl_signal(SIGTERM, fn () => 1);\nwhile (true) { sleep(1); }');
    expect(v.kinds).toEqual(['process-control']);
    expect(v.lines).toEqual([2]);
  });
  it('can be turned off', () => {
    const r = lintTextDetailed({ path: 'x.php', text: '<?php pcntl_fork();', rules: [], detectLongRunning: false });
    expect(r.longRunning).toEqual({ longRunning: false, fromConfig: false, detected: [] });
  });
  it('says the config made it long-running', () => {
    const r = lintTextDetailed({ path: 'x.php', text: '<?php echo 1;', rules: [], longRunning: true });
    expect(r.longRunning).toEqual({ longRunning: true, fromConfig: true, detected: [] });
  });
});

describe('longRunningMatcher (config globs)', () => {
  const m = longRunningMatcher({ root: '/app', longRunning: ['bin/worker.php', 'src/Command/**', 'src/Worker'] });
  it('matches absolute paths relative to the config root', () => {
    expect(m('/app/bin/worker.php')).toBe(true);
    expect(m('/app/src/Command/ImportCommand.php')).toBe(true);
    expect(m('/app/src/Worker/Loop.php')).toBe(true);
    expect(m('/app/src/Controller/Home.php')).toBe(false);
    expect(m('/elsewhere/bin/worker.php')).toBe(false);
  });
  it('matches relative paths as given', () => {
    expect(m('src/Command/Deep/X.php')).toBe(true);
    expect(m('./bin/worker.php')).toBe(true);
    expect(m('bin/other.php')).toBe(false);
  });
  it('matches nothing without globs', () => {
    expect(longRunningMatcher({ root: '/app', longRunning: [] })('/app/x.php')).toBe(false);
  });
});

describe('a batch command raises findings to warning at most', () => {
  it('keeps an error-level rule at warning when the only evidence is a batch over rows', async () => {
    const { lintText } = await import('../../engine/lint.js');
    const { rules } = await import('../../rules/index.js');
    const batch = '<?php\nuse Illuminate\\Console\\Command;\nclass C extends Command {\n  public function handle() {\n    foreach (User::query()->cursor() as $u) { $this->em->persist($u); $this->em->flush(); }\n  }\n}\n';
    const worker = batch.replace('{\n  public function handle() {', '{\n  protected $signature = "app:sync {--daemon}";\n  public function handle() {');
    const sev = (text: string) => lintText({ path: 'src/C.php', text, rules: rules.map((rule) => ({ rule })) }).filter((f) => f.ruleId === 'orm-identity-map-growth').map((f) => f.severity);
    expect(sev(batch)).toEqual(['warning']);
    expect(sev(worker)).toEqual(['error']);
  });
});
