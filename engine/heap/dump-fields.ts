import { T_ARRAY, T_OBJECT, TYPE_ID } from './graph.js';

// The fields of a meminfo item, recognised from their bytes: keys and values such as "type" and
// "object" come back millions of times, and making a string of each to compare would cost more
// than the rest of the item.

export const enum Field { None, Type, Size, Symbol, Frame, Class, IsRoot, Children, Other }
const FIELDS: Record<string, Field> = {
  type: Field.Type, size: Field.Size, symbol_name: Field.Symbol, frame: Field.Frame, class: Field.Class, is_root: Field.IsRoot, children: Field.Children,
};
const T_STRING = TYPE_ID.get('string')!, T_INT = TYPE_ID.get('int')!;

/** The item field a key names, from its bytes (no string made: millions of keys). */
export function fieldOf(buf: Buffer, start: number, end: number): Field {
  const len = end - start;
  const c = buf[start];
  let f = Field.Other;
  if (len === 4) f = c === 0x74 ? Field.Type : c === 0x73 ? Field.Size : Field.Other;
  else if (len === 8 && c === 0x63) f = Field.Children;
  else if (len === 7 && c === 0x69) f = Field.IsRoot;
  else if (len === 5) f = c === 0x66 ? Field.Frame : c === 0x63 ? Field.Class : Field.Other;
  else if (len === 11 && c === 0x73) f = Field.Symbol;
  // Confirm the guess (a key of another meminfo version may share length and first letter).
  return f === Field.Other || ascii(buf, start, end, FIELD_NAMES[f]!) ? f : Field.Other;
}

export function ascii(buf: Buffer, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[start + i] !== s.charCodeAt(i)) return false;
  return true;
}

const FIELD_NAMES: Record<number, string> = Object.fromEntries(Object.entries(FIELDS).map(([k, v]) => [v, k]));

/** The type id of a `type` value, from its bytes. */
export function typeOf(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  const c = buf[start];
  if (c === 0x61 && len === 5 && ascii(buf, start, end, 'array')) return T_ARRAY;
  if (c === 0x6f && len === 6 && ascii(buf, start, end, 'object')) return T_OBJECT;
  if (c === 0x73 && len === 6 && ascii(buf, start, end, 'string')) return T_STRING;
  if (c === 0x69 && len === 3 && ascii(buf, start, end, 'int')) return T_INT;
  return TYPE_ID.get(buf.toString('latin1', start, end)) ?? 0;
}

export function decimal(buf: Buffer, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return Number(buf.toString('latin1', start, end)) || 0;
    v = v * 10 + c;
  }
  return v;
}

