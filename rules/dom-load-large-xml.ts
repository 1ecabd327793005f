import type { Call, New, PhpNode } from '../engine/nodes.js';
import { nodesUnder as descendants } from '../engine/facts/subtree.js';
import { isDeclaredAs } from '../engine/facts/declared-types.js';
import { resolveClassName, shortClassName } from '../engine/facts/imports.js';
import { argumentAt, callReceiver, functionName, identifierWords, literalValue, methodName, varName, type Facts } from '../engine/facts/index.js';
import { pathOriginOf } from '../engine/facts/streams.js';
import { defineRule } from '../engine/rule.js';
import type { SourceFile } from '../engine/source.js';

// Whole-document XML parsers pointed at a file: DOMDocument::load, simplexml_load_file,
// new SimpleXMLElement($path, 0, true), and loadXML/simplexml_load_string of
// file_get_contents(). The whole tree is built in libxml's memory before the first element
// is read; XMLReader streams. Not flagged where the file is part of the code (a literal or
// __DIR__-based path: schemas, stylesheets, bundled config), where the document is edited
// (DOM is the right tool), or in tests.

const DOM_TYPES: ReadonlySet<string> = new Set(['domdocument']);
/** Methods that edit or write a DOM document: streaming would not do. */
const EDITS: ReadonlySet<string> = new Set([
  'save', 'savexml', 'savehtml', 'savehtmlfile', 'createelement', 'createelementns', 'createtextnode', 'createcdatasection',
  'createdocumentfragment', 'importnode', 'adoptnode', 'appendchild', 'removechild', 'replacechild', 'insertbefore', 'xinclude',
  'normalizedocument', 'setattribute', 'setattributens', 'removeattribute',
]);

type MessageId = 'dom' | 'simplexml' | 'wholeString';

export default defineRule({
  meta: {
    id: 'dom-load-large-xml',
    severity: 'info',
    fixable: 'never',
    description: 'DOMDocument::load / simplexml_load_file on a file: the whole tree is built in memory, where XMLReader streams.',
    messages: {
      dom: '`{{call}}` builds a tree of the whole file in memory, outside memory_limit',
      simplexml: '`{{call}}` builds a tree of the whole file in memory, outside memory_limit',
      wholeString: '`{{call}}` reads the whole file into a string and parses all of it into a tree',
    },
    details: {
      dom: '`{{call}}` parses the whole file into a DOM tree before the first element can be read; libxml holds it outside PHP\'s heap, so `memory_limit` does not bound it and `memory_get_usage()` does not show it (measured on PHP 8.2: an 8.6 MB file of 100,000 records costs +106 MB of RSS; XMLReader: +0.6 MB).',
      simplexml: '`{{call}}` parses the whole file into a tree before the first element can be read; libxml holds it outside PHP\'s heap, so `memory_limit` does not bound it and `memory_get_usage()` does not show it (measured on PHP 8.2: an 8.6 MB file of 100,000 records costs +106 MB of RSS; XMLReader: +0.6 MB).',
      wholeString: '`{{call}}` reads the whole file into a string and then parses all of it into a tree: the string and the tree (about 12 times the file\'s size, outside `memory_limit`) are in memory at once.',
    },
    tips: {
      dom: 'Stream it with XMLReader: `$r = new XMLReader(); $r->open($path); while ($r->read()) { … }`, and `$r->expand()` only the element you need.',
      simplexml: "Stream it with XMLReader and import one record at a time: `simplexml_import_dom($r->expand(new DOMDocument()))` when `$r->name === 'record'`.",
      wholeString: 'Open the file with XMLReader (`$r->open($path)`) instead of reading it into a string, and read it element by element.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    // Test fixtures are small by construction.
    if (ctx.isTestFile) return {};
    const loads: Call[] = [];
    const report = (at: PhpNode, messageId: MessageId, path: PhpNode | null): void => {
      if (path && isBundledPath(path)) return;
      if (!isDataDocument(at, path)) return;
      ctx.report({ at, messageId, data: { call: callText(at, ctx.file) } });
    };
    /**
     * Only documents that are data: fetched from a URL, uploaded or read from the request, or
     * named as a feed, an export, an import, an upload, a dump, a backup or a sitemap (in the
     * path, the function or the class). Configuration, translations, schemas and metadata are
     * small and read whole by design.
     */
    const isDataDocument = (at: PhpNode, path: PhpNode | null): boolean => {
      const scope = ctx.facts.scopeOf(at);
      const origin = path ? pathOriginOf(path, scope) : 'unknown';
      if (origin === 'remote' || origin === 'input') return true;
      const fn = scope.node;
      const names = [
        path ? ctx.file.textOf(path) : '',
        fn.kind === 'function' || fn.kind === 'method' ? fn.name.name : '',
        scope.cls?.name ?? '',
      ];
      return names.some((n) => identifierWords(n).some((w) => DATA_DOCUMENT_WORDS.has(w)));
    };
    return {
      call(node) {
        const fn = functionName(node);
        if (fn === 'simplexml_load_file') { report(node, 'simplexml', argumentAt(node, 0, 'filename')); return; }
        if (fn === 'simplexml_load_string') {
          const src = wholeFileRead(argumentAt(node, 0, 'data'));
          if (src) report(node, 'wholeString', src);
          return;
        }
        const m = methodName(node);
        if (m === 'load' && node.what.kind !== 'staticlookup') loads.push(node);
        else if (m === 'loadxml') {
          const src = wholeFileRead(argumentAt(node, 0, 'source'));
          if (src && !isEdited(node, ctx.facts)) report(node, 'wholeString', src);
        }
      },
      new(node) {
        if (!isSimpleXmlElement(node)) return;
        const data = argumentAt(node, 0, 'data');
        const src = wholeFileRead(data);
        if (src) { report(node, 'wholeString', src); return; }
        if (literalValue(argumentAt(node, 2, 'dataIsURL')) === true) report(node, 'simplexml', data);
      },
      // Property types may be declared below the method that loads: decide at the end.
      'program:exit'() {
        for (const call of loads) {
          const recv = callReceiver(call);
          if (!recv || !isDeclaredAs(recv, ctx.facts, DOM_TYPES) || isEdited(call, ctx.facts)) continue;
          report(call, 'dom', argumentAt(call, 0, 'filename'));
        }
      },
    };
  },
});

/** Words that name a document of data, which grows with use. */
const DATA_DOCUMENT_WORDS: ReadonlySet<string> = new Set([
  'feed', 'feeds', 'rss', 'atom', 'export', 'exports', 'exported', 'import', 'imports', 'importer', 'upload', 'uploads',
  'uploaded', 'dump', 'dumps', 'backup', 'backups', 'sitemap', 'wxr', 'catalog', 'inventory', 'products', 'orders',
]);


function callText(at: PhpNode, file: SourceFile): string {
  if (at.kind === 'call') return `${file.textOf(at.what)}()`;
  if (at.kind === 'new') return `new ${file.textOf(at.what)}(…)`;
  return file.textOf(at);
}

function isSimpleXmlElement(node: New): boolean {
  return node.what.kind === 'name' && shortClassName(resolveClassName(node.what.name, node)).toLowerCase() === 'simplexmlelement';
}

/** `file_get_contents($path)` (the whole file as a string): its path argument, else null. */
function wholeFileRead(expr: PhpNode | null): PhpNode | null {
  if (!expr || expr.kind !== 'call' || functionName(expr) !== 'file_get_contents') return null;
  return argumentAt(expr, 0, 'filename') ?? expr;
}

/**
 * A path fixed by the code (a literal, `__DIR__ . '/schema.xsd'`, `dirname(__DIR__) . …`, a
 * constant): a file shipped with the application, not an input that can grow.
 */
function isBundledPath(expr: PhpNode): boolean {
  switch (expr.kind) {
    case 'string': case 'nowdoc': case 'magic': return true;
    case 'bin': return expr.type === '.' && isBundledPath(expr.left) && isBundledPath(expr.right);
    case 'call': return functionName(expr) === 'dirname' && expr.arguments.length >= 1 && isBundledPath(expr.arguments[0]!);
    case 'name': return true; // a constant
    case 'staticlookup': return expr.offset.kind === 'identifier'; // a class constant
    case 'encapsed': return expr.value.every((p) => p.kind === 'string' || (p.kind === 'encapsedpart' && isBundledPath(p.expression)));
    default: return false;
  }
}

/** The document loaded by `call` is edited or written in the same function: DOM is needed. */
function isEdited(call: Call, facts: Facts): boolean {
  const recv = callReceiver(call);
  const v = recv ? varName(recv) : null;
  const scope = facts.scopeOf(call);
  for (const n of descendants(scope.node)) {
    if (n.kind !== 'call') continue;
    const m = methodName(n);
    if (m === 'importstylesheet') return true; // an XSLT stylesheet is loaded whole by nature
    if (v === null || m === null || !EDITS.has(m)) continue;
    // `$doc->appendChild()`, `$doc->documentElement->appendChild()`.
    let r: PhpNode | null = callReceiver(n);
    while (r && (r.kind === 'propertylookup' || r.kind === 'nullsafepropertylookup' || r.kind === 'call' || r.kind === 'offsetlookup')) {
      r = r.kind === 'call' ? callReceiver(r) : r.what;
    }
    if (r && varName(r) === v) return true;
  }
  return false;
}
