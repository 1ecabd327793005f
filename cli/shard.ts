import { createHash } from 'node:crypto';
import type { Shard } from './args.js';

// --shard I/N: a file belongs to shard (hash(path) mod N) + 1. Each file's shard depends on its
// own path only, so adding or removing files never moves the others between shards.

export function shardOf(relPath: string, total: number): number {
  const h = createHash('sha1').update(relPath).digest();
  return (h.readUInt32BE(0) % total) + 1;
}

export function inShard(relPath: string, shard: Shard): boolean {
  return shardOf(relPath, shard.total) === shard.index;
}
