<?php
// The talk's examples in one file: a seed for fuzzing (not a fixture: no markers).
namespace Kambo\MemoryLeaks;

function get_data(string $file_path): array {
    $file = fopen($file_path, 'r');
    $lines = [];
    while (($line = fgets($file)) !== false) {
        $lines[] = trim($line);
    }
    return $lines;
}

function get_lines(string $file_path): iterable {
    $file = fopen($file_path, 'r');
    while (($line = fgets($file)) !== false) {
        yield trim($line);
    }
    fclose($file);
}

function array_test(array $test) {
    $test[] = 10000001;
    echo $test[0] . "\n";
}

class ArrayBasedCache implements Cache {
    private array $cache = [];
    public function set(object $key, mixed $data): void { $this->cache[spl_object_id($key)] = $data; }
    public function has(object $key): bool { return isset($this->cache[spl_object_id($key)]); }
    public function get(object $key): mixed { return $this->cache[spl_object_id($key)] ?? null; }
    public function clear(): void { $this->cache = []; }
}

#[Attribute]
final class WeakMapBasedCache implements Cache {
    private \WeakMap $cache;
    public function __construct() { $this->cache = new \WeakMap(); }
    public function set(object $key, mixed $data): void { $this->cache[$key] = $data; }
}

function iWillLeakMemory() { $a = \FFI::new("long[1024]", false); }
function iAlsoLeakMemory() { eval('return function() {};'); }
while (true) { iWillLeakMemory(); iAlsoLeakMemory(); var_dump(memory_get_usage()); }
$x = match ($y) { 1, 2 => fn($z) => $z?->foo(...), default => <<<EOT
  heredoc {$a['b']} ${c}
  EOT };
enum Suit: string { case Hearts = 'H'; }
?>
<p><?= $html ?></p>
