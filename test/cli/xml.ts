// A small strict XML parser for tests: elements, attributes, text, the five predefined
// entities and numeric references, a prolog. It throws on anything not well-formed, so the
// checkstyle and JUnit outputs are parsed back as a CI server would.

export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;

function decode(s: string, at: number): string {
  if (/[<]/.test(s)) throw new Error(`'<' in text or attribute near ${at}`);
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (m, e: string | undefined) => {
    if (!e) throw new Error(`bare & near ${at}`);
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const map: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (!(e in map)) throw new Error(`unknown entity &${e}; near ${at}`);
    return map[e]!;
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const skipWs = () => { while (i < xml.length && /\s/.test(xml[i]!)) i++; };
  if (xml.startsWith('<?xml')) { const e = xml.indexOf('?>'); if (e < 0) throw new Error('bad prolog'); i = e + 2; }
  skipWs();
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < xml.length) {
    if (xml.startsWith('</', i)) {
      const m = NAME.exec(xml.slice(i + 2));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const top = stack.pop();
      if (!top || top.name !== m[0]) throw new Error(`mismatched </${m[0]}> at ${i}`);
      i += 2 + m[0].length;
      skipWs();
      if (xml[i] !== '>') throw new Error(`bad end tag at ${i}`);
      i++;
    } else if (xml[i] === '<') {
      if (root && stack.length === 0) throw new Error(`second root element at ${i}`);
      const m = NAME.exec(xml.slice(i + 1));
      if (!m) throw new Error(`bad tag at ${i}`);
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
      const parent = stack[stack.length - 1];
      i += 1 + m[0].length;
      for (;;) {
        skipWs();
        if (xml.startsWith('/>', i)) { i += 2; break; }
        if (xml[i] === '>') { i++; stack.push(el); break; }
        const a = NAME.exec(xml.slice(i));
        if (!a) throw new Error(`bad attribute at ${i}`);
        i += a[0].length;
        skipWs();
        if (xml[i] !== '=') throw new Error(`expected = at ${i}`);
        i++;
        skipWs();
        const q = xml[i];
        if (q !== '"' && q !== "'") throw new Error(`expected quote at ${i}`);
        const end = xml.indexOf(q, i + 1);
        if (end < 0) throw new Error('unterminated attribute');
        if (a[0] in el.attrs) throw new Error(`duplicate attribute ${a[0]}`);
        el.attrs[a[0]] = decode(xml.slice(i + 1, end), i);
        i = end + 1;
      }
      if (parent) parent.children.push(el); else root = el;
    } else {
      const next = xml.indexOf('<', i);
      const text = xml.slice(i, next < 0 ? xml.length : next);
      const top = stack[stack.length - 1];
      if (!top) { if (text.trim() !== '') throw new Error(`text outside the root at ${i}`); }
      else top.text += decode(text, i);
      i = next < 0 ? xml.length : next;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

export function all(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => { if (e.name === name) out.push(e); e.children.forEach(walk); };
  walk(el);
  return out;
}
