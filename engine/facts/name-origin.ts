import { identifierWords } from './names.js';

// What an identifier's name says of the values it holds: a name the code or its configuration
// defines (`$className`, `$routeName`), or run-time data (`$url`, `$userId`). Shared by key
// provenance (engine/facts/key-provenance.ts) and the classification of call arguments.

export type KeyOrigin = 'code' | 'data';

/**
 * Words that name things the code or its configuration defines. An identifier whose last word
 * is one of them (`$className`, `$castType`, `$routeName`, `->mutatorName()`) holds a key
 * from a set fixed by the code base.
 */
const CODE_WORDS = new Set([
  'class', 'classes', 'cls', 'fqcn', 'fqn', 'classname', 'method', 'methods', 'function', 'func', 'callable', 'property', 'prop',
  'attribute', 'attr', 'enum', 'case', 'route', 'routename', 'bin', 'connection', 'conn', 'driver', 'guard', 'broker', 'store',
  'disk', 'channel', 'mailer', 'locale', 'lang', 'language', 'currency', 'signal', 'signo', 'env', 'config', 'setting', 'option',
  'format', 'type', 'types', 'cast', 'mutator', 'manifest', 'migration', 'namespace', 'ns', 'section', 'hint', 'extension', 'service',
  'component', 'command', 'event', 'listener', 'table', 'column', 'field', 'alias', 'tag', 'view', 'template', 'path', 'file',
  'filename', 'dir', 'directory', 'schema', 'platform', 'engine', 'handler', 'controller', 'action', 'middleware', 'provider',
  'abstract', 'interface', 'trait', 'module', 'bundle', 'plugin', 'theme', 'hook', 'ability', 'policy', 'constraint', 'validator',
  'charset', 'encoding', 'algorithm', 'algo', 'cipher', 'mode', 'level', 'delimiter', 'separator', 'operator', 'kind', 'name',
  'names', 'macro', 'resolver', 'loader', 'pool', 'queue', 'bus', 'transport', 'entity', 'repository', 'metadata',
  'envvar', 'langcode', 'collection', 'timezone', 'bundle', 'profile', 'scheme', 'scope', 'version', 'core', 'root', 'prefix', 'hook', 'sidebar', 'block', 'setting', 'capability', 'cap', 'taxonomy', 'posttype', 'menu', 'location', 'domain', 'folder', 'screen', 'stylesheet', 'handle', 'origin',
  'capabilities', 'rel', 'bitrate', 'samplerate', 'layer', 'padding',
  'expression', 'expr', 'selector', 'pattern', 'regex', 'context', 'rule', 'rules', 'resource', 'catalog', 'prefix', 'suffix', 'group',
]);

/** Words that name run-time data: a key so named grows with what the process handles. */
const DATA_WORDS = new Set([
  'id', 'ids', 'uuid', 'guid', 'url', 'uri', 'ip', 'email', 'mail', 'user', 'value', 'values', 'input', 'payload', 'message',
  'row', 'record', 'text', 'query', 'sql', 'token', 'hash', 'content', 'contents', 'body', 'data', 'string', 'str', 'word',
  'host', 'request', 'response', 'item', 'object', 'obj', 'key', 'keys', 'subject', 'term', 'search', 'address', 'number', 'title',
  'slug', 'html', 'markdown', 'json', 'line', 'ref', 'reference', 'hostname', 'username', 'login', 'phone', 'date', 'time',
]);

/** What an identifier's name says of the values it holds: code, data, or nothing (null). */
export function originOfName(name: string): KeyOrigin | null {
  // Pure on the name, and asked for every argument of every method call of a file (call-arguments.ts).
  let o = originMemo.get(name);
  if (o === undefined) {
    if (originMemo.size > 50_000) originMemo.clear();
    o = originOfNameNow(name);
    originMemo.set(name, o);
  }
  return o;
}
const originMemo = new Map<string, KeyOrigin | null>();

function originOfNameNow(name: string): KeyOrigin | null {
  const words = identifierWords(name.replace(/^get(?=[A-Z_])/, ''));
  // `$classOrObject`: a class name or an object of that class, a code unit either way.
  const or = words.indexOf('or');
  if (or > 0 && originOfName(words.slice(0, or).join('_')) === 'code') return 'code';
  const last = words[words.length - 1];
  if (!last) return null;
  // `$plugin_id`, `$entityTypeId`, `$route_key`: the id of a thing the code defines.
  if ((last === 'id' || last === 'ids' || last === 'key' || last === 'name') && words.length > 1 && CODE_WORDS.has(words[words.length - 2]!)) return 'code';
  if (DATA_WORDS.has(last)) return 'data';
  const singular = last.endsWith('s') ? last.slice(0, -1) : last;
  if (CODE_WORDS.has(last) || CODE_WORDS.has(singular) || CODE_WORDS.has(words.join(''))) return 'code';
  return null;
}

