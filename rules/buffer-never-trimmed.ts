import type { Access } from '../engine/facts/access.js';
import { closestAncestor, functionName, methodName, staticProperty, thisPropertyName, varName, type ClassFacts, type Facts } from '../engine/facts/index.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { isFunctionLike, type ClassLike, type FunctionLike, type PhpNode } from '../engine/nodes.js';
import { defineRule } from '../engine/rule.js';

// A container that shrinks in content but not in memory (issue 12, 9a): an incremental parser
// appends every chunk it is fed to a string buffer (`$this->buffer .= $chunk`) and consumes it
// by advancing an offset (`$this->offset += $len`), reading at that offset (`substr($this->buffer,
// $this->offset, …)`), but never cuts what it has read. The buffer holds every byte the object
// was ever fed: on a connection or stream that stays open (a socket server, a consumer, a
// long-poll client) it grows for as long as the connection lives.

type MessageId = 'neverTrimmed';

/** Builtins that read a string at an offset: (argument index of the string, of the offset). */
const OFFSET_READERS: Readonly<Record<string, readonly [number, number]>> = {
  substr: [0, 1], strpos: [0, 2], stripos: [0, 2], strcspn: [0, 2], strspn: [0, 2], substr_compare: [0, 2],
  unpack: [1, 2], substr_count: [0, 2], preg_match: [1, 4], mb_substr: [0, 1], mb_strpos: [0, 2],
};
/** Calls whose result is read from a stream, socket or connection. */
const INPUT_FUNCTIONS: ReadonlySet<string> = new Set(['fread', 'fgets', 'stream_get_contents', 'stream_get_line', 'socket_read', 'socket_recv', 'stream_socket_recvfrom', 'fgetc']);
const INPUT_METHODS: ReadonlySet<string> = new Set(['read', 'recv', 'receive', 'readchunk']);

export default defineRule({
  meta: {
    id: 'buffer-never-trimmed',
    severity: 'warning',
    fixable: 'never',
    description: 'A string buffer fed chunk by chunk and consumed by advancing an offset, never cut: it keeps every byte ever fed.',
    messages: {
      neverTrimmed: '`{{buffer}}` keeps every chunk appended: reads only advance `{{offset}}`, nothing cuts what was read',
    },
    details: {
      neverTrimmed: '`{{buffer}}` is fed {{fed}} and consumed by advancing `{{offset}}`, but nothing ever removes the bytes already read (no `{{buffer}} = substr({{buffer}}, {{offset}})`): the string holds everything the object was ever fed. On a connection or stream that stays open it grows for as long as the connection lives, and every append copies a longer string (measured on PHP 8.2: 100,000 frames of 100 bytes leave +9,768 KB in the buffer and take 232 ms; cut after each read, +0 KB and 154 ms).',
    },
    tips: {
      neverTrimmed: 'Cut what was consumed once a read is done (`{{buffer}} = substr({{buffer}}, {{offset}}); {{offset}} = 0;`), or cut when the offset passes a threshold so the copy is paid rarely.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    // A test feeds a parser a few chunks and ends.
    if (ctx.isTestFile) return {};
    const classes: ClassLike[] = [];
    const onClass = (node: ClassLike): void => { classes.push(node); };
    return {
      'class:exit': onClass, 'trait:exit': onClass,
      'program:exit'() {
        for (const node of classes) {
          const cls = ctx.facts.classFor(node);
          if (!cls) continue;
          for (const found of neverTrimmed(cls, ctx.facts)) {
            ctx.report({
              at: found.append.via!, messageId: 'neverTrimmed',
              data: { buffer: found.buffer, offset: found.offset, fed: found.fed },
              related: [
                { at: found.read, message: `read at \`${found.offset}\`` },
                { at: found.advance, message: `the offset advances here; the buffer is never cut` },
              ],
            });
          }
        }
      },
    };
  },
});

interface Found { append: Access; buffer: string; offset: string; fed: string; read: PhpNode; advance: PhpNode }

/** Each string property of `cls` appended per call, read at an advancing offset, and never cut. */
function neverTrimmed(cls: ClassFacts, facts: Facts): Found[] {
  const byName = new Map<string, Access[]>();
  for (const a of cls.accesses) {
    const k = `${a.storage}:${a.name}`;
    const list = byName.get(k);
    if (list) list.push(a); else byName.set(k, [a]);
  }
  const out: Found[] = [];
  for (const accesses of byName.values()) {
    const appends = accesses.filter((a) => a.role === 'compound' && a.depth === 0 && a.via?.kind === 'assign' && a.via.operator === '.=' && !inConstructor(a.node));
    if (appends.length === 0) continue;
    // Any assignment or unset outside the constructor replaces the string: a cut or a reset.
    if (accesses.some((a) => (a.role === 'assign' || a.role === 'unset' || a.role === 'assign-ref') && !inConstructor(a.node))) continue;
    const append = appends.map((a) => ({ a, fed: fedBy(a, facts) })).find((x) => x.fed !== null);
    if (!append) continue;
    const buffer = refOf(accesses[0]!);
    for (const r of accesses) {
      const read = offsetRead(r);
      if (!read) continue;
      const advance = advanceOf(cls, read.offset, facts);
      if (!advance) continue;
      out.push({ append: append.a, buffer, offset: refOf(read.offset), fed: append.fed!, read: read.at, advance });
      break;
    }
  }
  return out;
}

function refOf(a: Access): string {
  return a.storage === 'static-prop' ? `${a.cls ?? 'self'}::$${a.name}` : `$this->${a.name}`;
}

function inConstructor(n: PhpNode): boolean {
  const m = closestAncestor(n, (p) => p.kind === 'method', true);
  return m?.kind === 'method' && m.name.name.toLowerCase() === '__construct';
}

/**
 * How the buffer is fed, when it is fed chunk by chunk: a parameter of the method or closure
 * that appends (`feed(string $chunk)`, a `'data'` listener), or what a stream read returns.
 */
function fedBy(a: Access, facts: Facts): string | null {
  if (a.via?.kind !== 'assign') return null;
  const value = a.via.right;
  const fn = closestAncestor(a.node, isFunctionLike, true) as FunctionLike | null;
  if (!fn) return null;
  const scope = facts.scopeFor(fn);
  const v = varName(value);
  if (v !== null && scope?.params.has(v)) {
    const name = fn.kind === 'method' ? `\`${fn.name.name}()\`` : 'a callback';
    return `the \`$${v}\` passed to ${name} on every call`;
  }
  const inputIn = (e: PhpNode): string | null => {
    const input = nodesUnder(e).find((n) => n.kind === 'call' && (INPUT_FUNCTIONS.has(functionName(n) ?? '') || INPUT_METHODS.has(methodName(n) ?? '')));
    return input && input.kind === 'call' ? `what \`${functionName(input) ?? methodName(input)}()\` reads, chunk by chunk` : null;
  };
  const direct = inputIn(value);
  if (direct || v === null || !scope) return direct;
  // `$chunk = fread($this->socket, 8192); … $this->buffer .= $chunk;`
  for (const x of scope.accesses) {
    if (x.storage !== 'var' || x.name !== v || x.role !== 'assign' || x.via?.kind !== 'assign' || x.via.left !== x.node) continue;
    const read = inputIn(x.via.right);
    if (read) return read;
  }
  return null;
}

/** `substr($this->buffer, $this->offset, …)`, `$this->buffer[$this->offset]`: the read and the offset property it uses. */
function offsetRead(r: Access): { at: PhpNode; offset: Access } | null {
  if (r.role === 'keyed-read' && r.depth === 1 && r.outer.kind === 'offsetlookup' && r.outer.offset) {
    const o = offsetProperty(r.outer.offset, r);
    return o ? { at: r.outer, offset: o } : null;
  }
  if (r.role !== 'read' || r.depth !== 0) return null;
  const call = r.node.parent;
  if (call?.kind !== 'call') return null;
  const fn = functionName(call);
  const at = fn !== null ? OFFSET_READERS[fn] : undefined;
  if (!at || call.arguments[at[0]] !== r.node) return null;
  const arg = call.arguments[at[1]];
  const o = arg ? offsetProperty(arg, r) : null;
  return o ? { at: call, offset: o } : null;
}

/** The property of the same object (or class) that the offset expression reads (`$this->offset + 4`). */
function offsetProperty(expr: PhpNode, buffer: Access): Access | null {
  for (const n of nodesUnder(expr)) {
    const name = buffer.storage === 'prop' ? thisPropertyName(n) : staticProperty(n)?.name ?? null;
    if (name === null || name === buffer.name) continue;
    return { storage: buffer.storage, name, role: 'read', depth: 0, node: n, outer: n };
  }
  return null;
}

/**
 * Where the offset moves forward (`$this->offset += $len`, `++$this->offset`, `$this->offset =
 * $this->offset + 4`), when it only ever moves forward: an offset set from anything else (a
 * `seek($position)`, a reset to 0) belongs to a seekable stream or to code that starts over.
 */
function advanceOf(cls: ClassFacts, offset: Access, facts: Facts): PhpNode | null {
  let advance: PhpNode | null = null;
  for (const a of cls.accesses) {
    if (a.storage !== offset.storage || a.name !== offset.name || a.depth !== 0 || inConstructor(a.node)) continue;
    if (a.role === 'compound' && a.via) {
      const forward = a.via.kind === 'post' || a.via.kind === 'pre' ? a.via.type === '+' : a.via.kind === 'assign' && a.via.operator === '+=';
      if (!forward) return null;
      advance ??= a.via;
    } else if (a.role === 'assign' && a.via?.kind === 'assign') {
      if (!fromItself(a.via.right, offset, facts)) return null;
      advance ??= a.via;
    } else if (a.role === 'unset' || a.role === 'assign-ref' || a.role === 'byref-call') {
      return null;
    }
  }
  return advance;
}

/** `$this->offset + 4`, or a local computed from the offset (`$end = strpos($this->buf, "\n", $this->offset)`). */
function fromItself(value: PhpNode, offset: Access, facts: Facts): boolean {
  const same = (e: PhpNode): boolean => nodesUnder(e).some((n) => (offset.storage === 'prop' ? thisPropertyName(n) : staticProperty(n)?.name) === offset.name);
  if (same(value)) return true;
  const scope = facts.scopeOf(value);
  const locals = new Set(nodesUnder(value).map((n) => varName(n)).filter((v): v is string => v !== null && v !== 'this'));
  return scope.accesses.some((x) => x.storage === 'var' && locals.has(x.name) && x.role === 'assign' && x.via?.kind === 'assign' && x.via.left === x.node && same(x.via.right));
}
