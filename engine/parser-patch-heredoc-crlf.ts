// php-parser checks a flexible heredoc's body indentation (PHP 7.3+) line by line after each
// "\n", so in a file with Windows line ends an empty line ("\r\n") reads as a line indented by 0
// whose content is "\r": `Invalid body indentation level` on code PHP runs (espocrm's tests).
// PHP ends lines at "\r\n", "\n" or "\r"; the check sees them all as "\n". Only the check: the
// string's value keeps its line ends.

interface HeredocParser { [reader: string]: unknown }

export function patchHeredocLineEnds(parser: HeredocParser): void {
  const check = parser['check_heredoc_indentation_level'];
  if (typeof check !== 'function') return;
  parser['check_heredoc_indentation_level'] = function (this: HeredocParser, text: unknown, ...rest: unknown[]): unknown {
    const lines = typeof text === 'string' && text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
    return (check as (...a: unknown[]) => unknown).call(this, lines, ...rest);
  };
}
