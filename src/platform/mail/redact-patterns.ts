/**
 * How the redactor finds the strings it removes: regular expressions for plain text, for HTML (where
 * characters may be written as entities) and for the bytes of files, and what a match in bytes becomes.
 */

const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const APOSTROPHES = `(?:['\u2018\u2019\`])`;
const HYPHENS = '(?:[-\u2010\u2011])';

/** One character of a string as it may be written in plain text. */
export function textChar(ch: string): string {
  if (/\s/.test(ch)) return '\\s+';
  if (/['\u2018\u2019`]/.test(ch)) return APOSTROPHES;
  if (/[-\u2010\u2011]/.test(ch)) return HYPHENS;
  return escape(ch);
}

const NAMED: Record<string, string[]> = {
  '&': ['amp'],
  "'": ['apos', 'rsquo', 'lsquo'],
  '\u2019': ['apos', 'rsquo', 'lsquo'],
  '"': ['quot'],
  '@': ['commat'],
  '.': ['period'],
  ',': ['comma'],
  ':': ['colon'],
  '+': ['plus'],
  '-': ['hyphen', 'dash'],
  _: ['lowbar'],
  '(': ['lpar'],
  ')': ['rpar'],
};
const ACCENTS: Record<string, string> = {
  '\u0300': 'grave',
  '\u0301': 'acute',
  '\u0302': 'circ',
  '\u0303': 'tilde',
  '\u0308': 'uml',
  '\u030a': 'ring',
  '\u0327': 'cedil',
};

/** One character of a string as it may be written in HTML: itself, or a numeric or named entity. */
export function htmlChar(ch: string): string {
  if (/\s/.test(ch)) return '(?:\\s|&nbsp;|&#0*160;|&#x0*a0;)+';
  const forms = new Set<string>();
  const variants = /['\u2018\u2019`]/.test(ch)
    ? ["'", '\u2018', '\u2019', '`']
    : /[-\u2010\u2011]/.test(ch)
      ? ['-', '\u2010', '\u2011']
      : [ch];
  for (const v of variants) {
    const cp = v.codePointAt(0) ?? 0;
    forms.add(escape(v));
    forms.add(`&#0*${cp};`);
    forms.add(`&#x0*${cp.toString(16)};`);
    for (const name of NAMED[v] ?? []) forms.add(`&${name};`);
    const [base, accent] = Array.from(v.normalize('NFD'));
    const accentName = accent ? ACCENTS[accent] : undefined;
    if (base && accentName) forms.add(`&${base}${accentName};`);
  }
  return `(?:${[...forms].join('|')})`;
}

/**
 * One regular expression for all the strings, longest first, whatever their case. The marker is
 * its first alternative, so a marker already in place is matched whole and stays as it is: running
 * the same redaction again changes nothing, even when a string (a short forename) occurs in it.
 */
export function pattern(needles: readonly string[], marker: string, char: (ch: string) => string): RegExp | null {
  const strings = clean(needles);
  if (strings.length === 0) return null;
  const alternatives = strings.map((s) => Array.from(s, char).join(''));
  return new RegExp([escape(marker), ...alternatives].join('|'), 'gi');
}

/**
 * The same over bytes read one byte to a character: each string as UTF-8, as Latin-1 where it can
 * be, and as UTF-16 (both byte orders), the forms in which text sits inside other files.
 */
export function bytePattern(needles: readonly string[], marker: string): RegExp | null {
  const strings = clean(needles);
  if (strings.length === 0) return null;
  const forms = new Set<string>();
  for (const s of strings) {
    forms.add(Buffer.from(s, 'utf8').toString('latin1'));
    if (Buffer.from(s, 'latin1').toString('latin1') === s) forms.add(s);
    const le = Buffer.from(s, 'utf16le');
    forms.add(le.toString('latin1'));
    forms.add(Buffer.from(le).swap16().toString('latin1'));
  }
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return new RegExp([escape(marker), ...sorted.map(escape)].join('|'), 'gi');
}

function clean(needles: readonly string[]): string[] {
  return [...new Set(needles.map((n) => n.trim()).filter((n) => n.length >= 2))].sort((a, b) => b.length - a.length);
}

/**
 * What a match inside bytes that are not text becomes: the marker, padded with spaces or cut to
 * the same length, so that offsets inside the file (a PDF's cross-reference table) still hold.
 * NUL bytes stay where they were, so a UTF-16 string becomes a UTF-16 marker.
 */
export function fill(match: string, marker: string): string {
  let k = 0;
  let out = '';
  for (const ch of match) out += ch === '\u0000' ? ch : (marker[k++] ?? ' ');
  return out;
}
