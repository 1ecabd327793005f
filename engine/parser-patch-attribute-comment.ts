// Inside an attribute (`#[Setting(label: 'x', # the key\n envVar: 'Y')]`) php-parser's lexer
// knows `//` and `/* */` comments but not `#` ones: it reports "unexpected character '#'"
// where PHP 8 reads a comment (Part-DB's settings classes; blind review 5). A `#` that does
// not start a nested `#[` is lexed as the comment it is, as in ordinary code.

interface AttributeLexer {
  _input: string;
  offset: number;
  input(): string;
  matchST_ATTRIBUTE(): unknown;
  T_COMMENT(): unknown;
}

export function patchAttributeComment(lexer: AttributeLexer): void {
  const match = lexer.matchST_ATTRIBUTE;
  lexer.matchST_ATTRIBUTE = function (this: AttributeLexer): unknown {
    if (this._input[this.offset] === '#' && this._input[this.offset + 1] !== '[') {
      this.input();
      return this.T_COMMENT();
    }
    return match.call(this);
  };
}
