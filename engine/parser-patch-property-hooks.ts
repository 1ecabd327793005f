// PHP 8.4 property hooks after a default value (`public ?string $url = null { set => … }`, and
// the same on a promoted constructor parameter) were a syntax error: php-parser reads the
// default as an expression whose variable chain takes the `{` that opens the hooks for a PHP 7
// string offset (`$s{0}`), then fails at `set =>`. PHP 8.0 removed that offset syntax. So in a
// property's or a parameter's default value, a `{` that follows the chain at its own nesting
// level ends the chain, and php-parser reads the hooks as such. Hook bodies and closures keep
// php-parser's reading. Found on an application that requires PHP 8.4: 27 of its entity files
// were parse errors.

interface HookParser {
  token: unknown;
  /** Readers of a property or a parameter (whose default may be followed by hooks) open. */
  hookable?: number;
  /** Variable chains open inside such a default. */
  hookChain?: number;
  /** `(` and `[` open since the outermost of those chains began. */
  hookNest?: number;
  [reader: string]: unknown;
}

/** What a `{` ending a default's chain reads as inside the chain: no case of it matches. */
const HOOKS_BRACE = '{hooks';
type Fn = (this: HookParser, ...args: unknown[]) => unknown;

export function patchPropertyHookDefaults(parser: HookParser): void {
  const scan = parser['recursive_variable_chain_scan'] as Fn | undefined;
  const lex = parser['lex'] as Fn | undefined;
  const hooks = parser['read_property_hooks'] as Fn | undefined;
  if (typeof scan !== 'function' || typeof lex !== 'function' || typeof hooks !== 'function') return;
  for (const name of ['read_variable_list', 'read_parameter']) {
    const read = parser[name] as Fn | undefined;
    if (typeof read !== 'function') continue;
    parser[name] = function (this: HookParser, a?: unknown, b?: unknown, c?: unknown): unknown {
      this.hookable = (this.hookable ?? 0) + 1;
      try { return read.call(this, a, b, c); } finally { this.hookable--; }
    };
  }
  // A hook's body is code, read as php-parser reads any code.
  parser['read_property_hooks'] = function (this: HookParser): unknown {
    const outer = this.hookable ?? 0;
    this.hookable = 0;
    try { return hooks.call(this); } finally { this.hookable = outer; }
  };
  parser['recursive_variable_chain_scan'] = function (this: HookParser, result: unknown, readOnly?: unknown, encapsed?: unknown): unknown {
    if (!this.hookable || encapsed) return scan.call(this, result, readOnly, encapsed);
    if (this.token === '{') return result;
    const chains = this.hookChain ?? 0;
    // The token in hand is read but not yet taken: a call's `(` is open once the chain takes it.
    if (chains === 0) this.hookNest = this.token === '(' || this.token === '[' ? 1 : 0;
    this.hookChain = chains + 1;
    try {
      return scan.call(this, result, readOnly, encapsed);
    } finally {
      this.hookChain = chains;
      if (chains === 0 && this.token === HOOKS_BRACE) this.token = '{';
    }
  };
  parser['lex'] = function (this: HookParser): unknown {
    const r = lex.call(this);
    if (this.hookChain) {
      const t = this.token;
      if (t === '(' || t === '[') this.hookNest!++;
      else if (t === ')' || t === ']') this.hookNest!--;
      else if (t === '{' && this.hookNest === 0) this.token = HOOKS_BRACE;
    }
    return r;
  };
}

interface InterfaceParser {
  token: unknown;
  EOF: unknown;
  tok: Record<string, unknown>;
  [reader: string]: unknown;
}

/**
 * PHP 8.4 interfaces declare properties with hooks (`public ?string $title { get; }`); php-parser
 * reads one only when its type starts with a plain name, so `?string`, `array`, a qualified
 * name or `(A&B)|null` were syntax errors. The interface body is read as php-parser reads it,
 * with a property wherever a type (or the variable) starts after the modifiers.
 */
export function patchInterfaceProperties(parser: InterfaceParser): void {
  const t = parser.tok;
  const typeStart = new Set(['?', '(', t['T_ARRAY'], t['T_CALLABLE'], t['T_STATIC'], t['T_VARIABLE'], t['T_NAMESPACE'], t['T_NS_SEPARATOR'],
    t['T_NAME_FULLY_QUALIFIED'], t['T_NAME_QUALIFIED'], t['T_NAME_RELATIVE'], t['T_STRING']]);
  const call = (p: InterfaceParser, name: string, ...args: unknown[]): unknown => (p[name] as Fn).call(p as unknown as HookParser, ...args);
  parser['read_interface_body'] = function (this: InterfaceParser): unknown[] {
    let result: unknown[] = [];
    while (this.token !== this.EOF && this.token !== '}') {
      if (this.token === t['T_COMMENT']) { result.push(call(this, 'read_comment')); continue; }
      if (this.token === t['T_DOC_COMMENT']) { result.push(call(this, 'read_doc_comment')); continue; }
      const locStart = call(this, 'position');
      const attrs = this.token === t['T_ATTRIBUTE'] ? call(this, 'read_attr_list') : [];
      const flags = call(this, 'read_member_flags', true) as [[unknown, number], ...unknown[]];
      if (this.token === t['T_CONST']) {
        if (flags[0][1] !== -1) call(this, 'raiseError', 'Cannot use asymmetric visibility on constants');
        result = result.concat(call(this, 'read_constant_list', flags, attrs, locStart) as unknown[]);
        if (call(this, 'expect', ';')) call(this, 'next');
      } else if (this.token === t['T_FUNCTION']) {
        const method = call(this, 'read_function_declaration', 2, flags, attrs, locStart) as { parseFlags(f: unknown): void };
        method.parseFlags(flags);
        result.push(method);
        if (call(this, 'expect', ';')) call(this, 'next');
      } else if (typeStart.has(this.token)) {
        result.push(call(this, 'read_variable_list', flags, attrs, locStart));
      } else {
        call(this, 'error', [t['T_CONST'], t['T_FUNCTION'], t['T_STRING']]);
        call(this, 'next');
      }
    }
    if (call(this, 'expect', '}')) call(this, 'next');
    return result;
  };
}
