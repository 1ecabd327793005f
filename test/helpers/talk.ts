// The talk's UserService across files (engine, CLI and LSP tests of engine/project-index.ts).

export const CACHE = `<?php
namespace App\\Cache;

final class ArrayBasedCache
{
    private array $cache = [];

    public function set(string $key, mixed $data): void { $this->cache[$key] = $data; }
    public function has(string $key): bool { return isset($this->cache[$key]); }
    public function get(string $key): mixed { return $this->cache[$key]; }
}
`;
export const SERVICE = `<?php
namespace App;

use App\\Cache\\ArrayBasedCache;

final class UserService
{
    private ArrayBasedCache $cache;

    public function __construct(private \\PDO $db)
    {
        $this->cache = new ArrayBasedCache();
    }

    public function getUser(string $id): array
    {
        if ($this->cache->has($id)) { return $this->cache->get($id); }
        $user = ['id' => $id];
        $this->cache->set($id, $user);
        return $user;
    }
}
`;
export const WORKER = `<?php
use App\\UserService;

$users = new UserService(new PDO('sqlite::memory:'));
while (true) {
    $job = $queue->pop();
    $users->getUser($job->userId);
}
`;
export const CONTROLLER = `<?php
namespace App\\Http;

use App\\UserService;

final class UserController
{
    public function __construct(private UserService $users) {}

    public function show(string $id): array { return $this->users->getUser($id); }
}
`;
