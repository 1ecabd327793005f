import type { Parameter, PhpNode } from '../nodes.js';
import { identifierWords, typeNames, varName } from './names.js';
import type { Scope } from './scopes.js';

// Positive evidence that an array key is run-time data. A cache grows without bound only with
// data; a key whose origin phpleak cannot tell (a parameter of a private helper, a computed
// local, an element of some array) is usually a name of the code in the end (the review of
// issue 11 found 30 of 46 such findings bounded by the code), so unbounded-cache reports only
// keys with evidence. The evidence is read from names and types, as a maintainer reads them:
// `$value`, `$url` or `int $userId` handed to a public API, `$user->getId()`, request input.

/** Last words of names that hold data: what a caller hands over or a user typed. */
const DATA_NAME = new Set([
  'value', 'values', 'string', 'str', 'text', 'url', 'urls', 'uri', 'uris', 'href', 'query', 'sql', 'email', 'ip', 'payload',
  'input', 'content', 'contents', 'body', 'html', 'markdown', 'json', 'search', 'keyword', 'term', 'word', 'username', 'login',
  'phone', 'address', 'sentence', 'title', 'slug', 'uuid', 'guid', 'user', 'sku', 'token', 'line', 'lines',
]);

/**
 * Things stored as rows: `$userId`, `$post_id`, `$orderUuid` are ids of data. Not sites, blogs
 * or tenants: a process serves a few, and hosts an application talks to are few too.
 */
const ROW_NOUN = new Set([
  'user', 'post', 'term', 'node', 'comment', 'account', 'customer', 'order', 'product', 'page', 'article', 'entry', 'item',
  'record', 'row', 'invoice', 'member', 'contact', 'document', 'attachment', 'media', 'ticket', 'thread', 'team',
  'project', 'activity', 'timesheet', 'message', 'object', 'entity', 'session', 'reply', 'conversation', 'revision',
  'transaction', 'payment', 'cart', 'image', 'photo', 'video', 'song', 'album', 'artist', 'playlist', 'book', 'chapter',
  'bookshelf', 'shelf', 'bookmark', 'subscription', 'author', 'customer', 'visitor', 'job',
]);

const ID_WORD = /^(id|ids|uuid|uuids|guid)$/;

/**
 * Rows that traffic creates without end: every visit, message, order or comment adds one. The
 * ids of other rows (email templates, stages, forms, products, pages) are data too, but their
 * table may be a catalogue of a few hundred rows: a cache keyed by them grows, yet not until the
 * process dies, so it earns `warning`, never `error` (review of issue 11: mautic's email-settings
 * cache keyed by the template's id).
 */
const TRAFFIC_NOUN = new Set([
  'visitor', 'visit', 'contact', 'lead', 'session', 'message', 'order', 'comment', 'reply', 'transaction', 'payment',
  'request', 'hit', 'device', 'cart', 'notification', 'submission', 'event', 'log', 'job', 'delivery', 'click', 'view',
]);

/** Is the row named (`$trackedContact`, `order_id`, `$visitorId`) one that traffic creates without end? */
export function namesTrafficRow(name: string): boolean {
  const w = identifierWords(name);
  const last = ID_WORD.test(w[w.length - 1] ?? '') ? w[w.length - 2] : w[w.length - 1];
  return !!last && TRAFFIC_NOUN.has(last);
}

/**
 * People who use the application: its users, owners, staff, authors. A worker serves the few
 * hundred of them an installation has (the users table is a roster), so a cache keyed by their
 * ids alone stops growing; the review of issue 11 judged such caches bounded every time.
 * Visitors, customers, contacts and leads are data: tracking hits bring new ones without end.
 */
const PERSON_NOUN = new Set(['user', 'owner', 'account', 'author', 'staff', 'creator', 'assignee', 'admin', 'employee', 'operator']);

/** Does the name say it holds the id of a user of the application (`$userId`, `owner_id`, `$account->id()` as `account`)? */
export function namesPersonId(name: string): boolean {
  const w = identifierWords(name);
  if (w.length === 0) return false;
  const last = w[w.length - 1]!;
  // A login or user name names one user as well as an id does (`$userLogin`, `$username`).
  if (PERSON_NOUN.has(last) || last === 'login' || last === 'username') return true;
  return w.length > 1 && ID_WORD.test(last) && PERSON_NOUN.has(w[w.length - 2]!);
}


/** Does the name say it holds the id of a row (`$userId`, `post_id`, `$account->id()` as `accountId`)? */
export function namesRowId(name: string): boolean {
  const w = identifierWords(name);
  if (namesPersonId(name)) return false;
  return w.length > 1 && ID_WORD.test(w[w.length - 1]!) && ROW_NOUN.has(w[w.length - 2]!);
}

/** Does the name say data (`$value`, `$url`, `$userId`)? A bare `$id` does not: it also names HTML ids, plugin ids, editor ids. */
export function namesData(name: string): boolean {
  const w = identifierWords(name);
  const last = w[w.length - 1];
  return !!last && !namesPersonId(name) && (DATA_NAME.has(last) || namesRowId(name));
}

/** A receiver whose id is a row's: `$user`, `$account`, `$entity`, `$term` (not `$entityType`, not `$this`). */
export function isRowObject(name: string | null): boolean {
  if (!name || name === 'this' || namesPersonId(name)) return false;
  const last = identifierWords(name).pop() ?? '';
  return ROW_NOUN.has(last) || DATA_NAME.has(last);
}

/** The function's name for messages: `Str::camel()`, `EmbedResolver::resolve()`, `lookup()`. */
export function apiName(scope: Scope): string | null {
  const n = scope.node;
  if (n.kind === 'function') return `${typeof n.name === 'string' ? n.name : n.name.name}()`;
  if (n.kind !== 'method') return null;
  const cls = scope.cls?.name;
  return `${cls ? `${cls}::` : ''}${n.name.name}()`;
}

/** Is the scope an entry point any caller reaches: a function, or a public method? */
function isPublicApi(scope: Scope): boolean {
  const n = scope.node;
  if (n.kind === 'function') return true;
  return n.kind === 'method' && (n.visibility === 'public' || n.visibility === '');
}

/**
 * Why the parameter `name` of `scope` holds data, or null without evidence: a parameter of a
 * public method or a function whose name or type says data (`$value`, `string $url`,
 * `int $userId`, `int $id`, `float $lat`, `object $key`).
 */
export function dataParameter(param: Parameter, name: string, scope: Scope): string | null {
  if (!isPublicApi(scope)) return null;
  const api = apiName(scope);
  if (!api) return null;
  const types = typeNames(param.type).map((t) => t.replace(/^\\/, '').toLowerCase());
  const typed = types.length === 1 ? types[0] : null;
  const passed = `\`$${name}\` of the public \`${api}\``;
  if (namesData(name)) return passed;
  // A bare `$id` is a row's when it is typed as one; untyped it is as often an HTML or plugin id.
  const words = identifierWords(name);
  if (words.length === 1 && ID_WORD.test(words[0]!) && (typed === 'int' || typed === 'string')) return passed;
  if (typed === 'float' || typed === 'object') return passed;
  // `ArrayBasedCache::set(string $key, …)`: a general-purpose cache holds whatever its callers
  // store, so the key it is handed is theirs (the talk's UserService stores one per user id).
  // A PSR-6 pool's `getItem($key)`/`hasItem($key)` is such a cache whatever the class is called.
  const psr6 = scope.node.kind === 'method' && /^(getitems?|hasitem|deleteitems?)$/i.test(scope.node.name.name);
  if (/^(key|keys|k|id|ids)$/.test(words[words.length - 1] ?? '') && (/Cache$/.test(scope.cls?.name ?? '') || psr6)) {
    return psr6 ? passed : `\`$${name}\` of the public \`${api}\`, a cache of its callers' keys`;
  }
  return null;
}

/** `$this`, `$this->conn`, `$this->getConnection()`: an object the owner holds, as many as its owners. */
export function isOwnedObject(n: PhpNode | undefined): boolean {
  if (!n) return false;
  if (varName(n) === 'this') return true;
  if ((n.kind === 'propertylookup' || n.kind === 'nullsafepropertylookup') && varName(n.what) === 'this') return true;
  if (n.kind === 'call') {
    const w = n.what;
    return (w.kind === 'propertylookup' || w.kind === 'nullsafepropertylookup') && varName(w.what) === 'this';
  }
  return false;
}

/** `$_GET[…]`, `$_POST`, `$_REQUEST`, `$_COOKIE`, `$_SERVER`, `$_FILES`: request input. */
export function isSuperglobal(n: PhpNode): boolean {
  return /^_(GET|POST|REQUEST|COOKIE|SERVER|FILES)$/.test(varName(n) ?? '');
}

/**
 * Why an appended value is data: an object handed to a public API (`record(object $event)`),
 * stored whole, one entry per call. Callables and closures are registration of code.
 */
export function dataObjectParameter(param: Parameter, name: string, scope: Scope): string | null {
  if (!isPublicApi(scope)) return null;
  const api = apiName(scope);
  const types = typeNames(param.type).map((t) => t.replace(/^\\/, '').toLowerCase());
  if (!api || types.length === 0) return null;
  const scalar = /^(string|int|float|bool|array|iterable|mixed|callable|closure|null|false|true|self|static)$/;
  if (types.some((t) => scalar.test(t))) return null;
  return `the object \`$${name}\` of the public \`${api}\``;
}

/**
 * An item the method handles, one per call: a parameter named or typed for a row (`$record`,
 * `LogRecord $record`, `array $row`, `Message $message`), whatever the method's visibility (a
 * handler's protected `write()` runs once per log record). What is appended from it grows with
 * the items handled.
 */
export function rowItemParameter(param: Parameter, name: string): string | null {
  const last = identifierWords(name).pop() ?? '';
  const types = typeNames(param.type).map((t) => identifierWords(t.replace(/^.*\\/, '')).pop() ?? '');
  if (ROW_NOUN.has(last) || types.some((t) => ROW_NOUN.has(t))) return `\`$${name}\``;
  return null;
}
