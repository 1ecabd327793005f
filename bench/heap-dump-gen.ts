import { closeSync, openSync, writeSync } from 'node:fs';

// Writes a php-meminfo dump of a chosen size (outside the repo: /tmp), in the extension's own
// layout (indentation, the line break before each comma), shaped like the talk's worker after
// many jobs: a global `$service` whose ArrayCache holds one User (an id and a name string) per
// job, plus a listener list of closures each keeping a handler with a payload array.

const BATCH = 4 * 1024 * 1024;

export interface GeneratedDump { bytes: number; items: number; users: number }

export function generateDump(file: string, targetBytes: number): GeneratedDump {
  const fd = openSync(file, 'w');
  let buf = '';
  let bytes = 0;
  let items = 0;
  const put = (s: string) => {
    buf += s;
    if (buf.length >= BATCH) { bytes += writeSync(fd, buf); buf = ''; }
  };
  let addr = 0x7f0000000000;
  const next = () => '0x' + (addr += 0x40).toString(16);
  const item = (a: string, type: string, size: number, extra: string, children: [string, string][] | null, first = false) => {
    items++;
    put(`${first ? '' : ',\n'}    "${a}" : {\n        "type" : "${type}",\n        "size" : "${size}",\n${extra}        "is_root" : ${extra.includes('symbol_name') ? 'true' : 'false'}\n`);
    if (children) put(`,\n        "children" : {\n${children.map(([k, v]) => `            "${k}":"${v}"`).join(',\n')}\n        }\n`);
    put('\n    }');
  };
  // Per job: User object, its int id and name string (~330 bytes of dump text) and its entry in
  // the cache's children (~30 bytes). A tenth of the jobs also leave a listener (~1 KB).
  const perJob = 640;
  const users = Math.max(1, Math.floor(targetBytes / perJob));
  const service = next(), cache = next(), cacheItems = next(), events = next(), listeners = next(), terminate = next();
  put(`{\n  "header" : {\n    "memory_usage" : ${users * 300},\n    "memory_usage_real" : ${users * 320},\n    "peak_memory_usage" : ${users * 300},\n    "peak_memory_usage_real" : ${users * 320}\n  },\n  "items": {\n`);
  item(service, 'object', 72, '        "symbol_name" : "service",\n        "frame" : "<GLOBAL>",\n        "class" : "UserService",\n        "object_handle" : "1",\n', [['cache', cache]], true);
  item(cache, 'object', 72, '        "class" : "ArrayCache",\n        "object_handle" : "2",\n', [['items', cacheItems]]);
  const userAddrs: string[] = [];
  for (let i = 0; i < users; i++) userAddrs.push(next());
  // The cache array's children, written as a stream of lines.
  items++;
  put(`,\n    "${cacheItems}" : {\n        "type" : "array",\n        "size" : "72",\n        "is_root" : false\n,\n        "children" : {\n`);
  for (let i = 0; i < users; i++) put(`${i ? ',\n' : ''}            "${i + 1}":"${userAddrs[i]}"`);
  put('\n        }\n\n    }');
  const handlers: string[] = [];
  for (let i = 0; i < users; i++) {
    const id = next(), name = next();
    item(userAddrs[i]!, 'object', 72, `        "class" : "User",\n        "object_handle" : "${i + 10}",\n`, [['id', id], ['name', name]]);
    item(id, 'int', 16, '', null);
    item(name, 'string', 40 + String(i).length, '', null);
    if (i % 10 === 0) handlers.push(next());
  }
  item(events, 'object', 72, '        "symbol_name" : "events",\n        "frame" : "<GLOBAL>",\n        "class" : "Dispatcher",\n        "object_handle" : "3",\n', [['listeners', listeners]]);
  item(listeners, 'array', 72, '', [['terminate', terminate]]);
  const closures = handlers.map(() => next());
  item(terminate, 'array', 72, '', closures.map((c, i) => [String(i), c]));
  handlers.forEach((h, i) => {
    const payload = next();
    item(closures[i]!, 'object', 72, '        "class" : "Closure",\n        "object_handle" : "9",\n', [['this', h]]);
    item(h, 'object', 72, '        "class" : "RequestHandler",\n        "object_handle" : "9",\n', [['payload', payload], ['events', events]]);
    const strs = Array.from({ length: 5 }, () => next());
    item(payload, 'array', 72, '', strs.map((s, k) => [String(k), s]));
    for (const s of strs) item(s, 'string', 28, '', null);
  });
  put('\n}\n}\n');
  if (buf) bytes += writeSync(fd, buf);
  closeSync(fd);
  return { bytes, items, users };
}
