// php-parser's `peek()` (one token of look-ahead, used for named arguments after every keyword
// or name in an argument list) saves and restores the lexer's offset but not its condition
// stack. Peeking past `new` at `#[` (an attribute on an anonymous class: `f(new #[A] class {})`,
// common in tests and container set-ups) enters the attribute state and leaves it entered:
// the real read of `#` then fails with "Bad terminal sequence" (spiral/framework, 5 files).
// We restore the whole lexer state around the peek.

interface PeekLexer {
  conditionStack: string[];
  curCondition: string;
  stateCb: unknown;
  attributeIndex: number;
  attributeListDepth: Record<number, number>;
}

interface PeekParser { lexer: PeekLexer; peek(): unknown }

export function patchPeek(parser: PeekParser): void {
  const peek = parser.peek;
  parser.peek = function (this: PeekParser): unknown {
    const l = this.lexer;
    const stack = l.conditionStack.slice();
    const { curCondition, stateCb, attributeIndex } = l;
    const depth = { ...l.attributeListDepth };
    try {
      return peek.call(this);
    } finally {
      l.conditionStack = stack;
      l.curCondition = curCondition;
      l.stateCb = stateCb;
      l.attributeIndex = attributeIndex;
      l.attributeListDepth = depth;
    }
  };
}
