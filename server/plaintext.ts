// Markdown → plain text for clients that do not declare Markdown hovers (hover.contentFormat
// without "markdown": Emacs eglot without markdown-mode, Neovim configured for plaintext, older
// Vim plugins). They show the text as it is, so Markdown syntax would be noise: emphasis and
// code marks go, links keep their text and show the URL, headings become plain lines, code
// blocks are indented four spaces.

export function markdownToPlainText(md: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]!;
      else if (line.trim().startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) { out.push(line === '' ? '' : `    ${line}`); continue; }
    if (/^\s*(-{3,}|\*{3,}|_{3,})\s*$/.test(line)) { out.push('-'.repeat(40)); continue; }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    out.push(inline(heading ? heading[1]! : line));
  }
  return out.join('\n');
}

function inline(s: string): string {
  // Links first (their label may be a code span), then code spans: what is inside those is
  // literal (a `*` in `$a * $b` is not emphasis).
  s = s.replace(/!?\[((?:[^\]`]|`[^`]*`)*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_, label: string, url: string) => {
    const text = codeAndProse(label);
    return text === url || text === '' ? url : `${text} (${url})`;
  });
  return codeAndProse(s);
}

function codeAndProse(s: string): string {
  const parts = s.split(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/);
  let text = '';
  for (let i = 0; i < parts.length; i++) {
    if (i % 3 === 0) text += prose(parts[i]!);
    else if (i % 3 === 2) text += parts[i]!.replace(/^ (.*) $/, '$1');
  }
  return text;
}

function prose(s: string): string {
  // Escaped characters are set aside first, so `\*` is never taken for emphasis.
  const escaped: string[] = [];
  return s
    .replace(/\\([\\`*_{}[\]()#+\-.!|>])/g, (_, c: string) => `\uE000${escaped.push(c) - 1}\uE001`)
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?!\w)/g, '$1$2')
    .replace(/(^|[^\w_])_(?=\S)([^_]*?\S)_(?!\w)/g, '$1$2')
    .replace(/\uE000(\d+)\uE001/g, (_, i: string) => escaped[Number(i)]!);
}
