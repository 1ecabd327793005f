// php-parser words syntax errors as PHP 7.0 did (`unexpected 'foo' (T_STRING), expecting ';'`);
// users compare them with `php -l`, which on PHP 8 says `unexpected identifier "foo"`. This
// rewrites the message into PHP 8's words. Where the position differs (php-parser reports at the
// next token), engine/parse.ts points at the place a user would look.

const TOKEN_KINDS: Record<string, string> = {
  T_VARIABLE: 'variable', T_STRING: 'identifier', T_NAME_QUALIFIED: 'fully qualified name', T_NAME_FULLY_QUALIFIED: 'fully qualified name',
  T_NAME_RELATIVE: 'namespace-relative name', T_LNUMBER: 'integer', T_DNUMBER: 'floating-point number',
};

/** `T_VARIABLE` → `variable`; `';'` → `";"`; `T_ECHO` → `token "echo"`-less fallback: the name. */
function expected(tok: string): string {
  if (/^'.*'$/.test(tok)) return `"${tok.slice(1, -1)}"`;
  return TOKEN_KINDS[tok] ?? tok;
}

function unexpected(text: string, kind: string | undefined): string {
  if (kind === 'T_CONSTANT_ENCAPSED_STRING') {
    const quote = text.startsWith("'") ? 'single-quoted' : 'double-quoted';
    return `${quote} string "${text.slice(1, -1)}"`;
  }
  if (kind === 'T_INLINE_HTML') return `inline HTML "${text}"`;
  const name = kind ? TOKEN_KINDS[kind] : undefined;
  return name ? `${name} "${text}"` : `token "${text}"`;
}

export function phpStyleMessage(m: string): string {
  const r = /^syntax error(?:, unexpected '([\s\S]*?)'(?: \((T_[A-Z_]+)\))?)?(?:, expecting ([\s\S]+))?$/.exec(m);
  if (!r || (r[1] === undefined && r[3] === undefined)) return m;
  const parts = ['syntax error'];
  parts.push(r[1] !== undefined ? `unexpected ${unexpected(r[1], r[2])}` : 'unexpected end of file');
  if (r[3] !== undefined) parts.push(`expecting ${r[3].split(/ or |, /).map(expected).join(' or ')}`);
  return parts.join(', ');
}
