import { isUtf8 } from 'node:buffer';
import mailsplit, { type SplitterChunk } from '@zone-eu/mailsplit';
import iconv from 'iconv-lite';
import libmime from 'libmime';
import libcharset from 'libmime/lib/charset';
import libqp from 'libqp';

/** What to remove from messages and text, and what to put in its place. */
export interface RedactionTerms {
  /**
   * Strings that point at the person on their own (full name, addresses, telephone numbers): removed
   * wherever they are, markup, structured headers and the bytes of attachments included.
   */
  identifying: readonly string[];
  /**
   * Everything to remove from text a person reads (`identifying`, forename and surname): bodies,
   * text attachments, subjects, display names, file names. Strings of two characters or more,
   * matched whatever their case. A forename alone is not looked for in markup, header fields
   * meant for software or the bytes of files, where it would occur by chance inside other words.
   */
  all: readonly string[];
  /** What each occurrence becomes (in the bytes of files, padded or cut to the same length). */
  marker: string;
}

export interface Redactor {
  /** Plain text without the strings. */
  text: (text: string) => string;
  /** HTML without the strings, also where characters of them are written as entities. */
  html: (html: string) => string;
  /**
   * A message's source without the strings, wherever a reader would find them: headers (encoded
   * words and file names included), the decoded content of every text part (base64 or
   * quoted-printable, in its charset), attached messages, and the bytes of other parts. Each part
   * that changes is encoded again as it was; everything that did not hold the strings is left byte
   * for byte. A source whose structure cannot be read has them replaced in its bytes as they stand.
   */
  message: (source: Uint8Array) => Promise<Buffer>;
}

/** Attached messages inside attached messages are read this deep, then treated as bytes. */
const MAX_DEPTH = 8;

type MimeNode = Extract<SplitterChunk, { type: 'node' }>;
type Replace = (value: string) => string;

/**
 * Header fields holding text a person reads: display names and subjects lose every string. Other
 * fields (trace, identifiers, structure) lose those that identify on their own.
 */
const READ_FIELDS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'sender',
  'resent-from',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'resent-sender',
  'subject',
  'comments',
  'keywords',
  'thread-topic',
  'disposition-notification-to',
  'return-receipt-to',
]);

/** Parameters that hold a name someone gave (the rest are structure: boundary, charset, format). */
const READ_PARAMETERS = new Set(['name', 'filename']);

export function createRedactor(terms: RedactionTerms): Redactor {
  const replaceWith = (re: RegExp | null): Replace =>
    re ? (value) => value.replace(re, terms.marker) : (value) => value;
  const allText = replaceWith(pattern(terms.all, terms.marker, textChar));
  const idText = replaceWith(pattern(terms.identifying, terms.marker, textChar));
  const allHtml = replaceWith(pattern(terms.all, terms.marker, htmlChar));
  const idHtml = replaceWith(pattern(terms.identifying, terms.marker, htmlChar));
  const allBytes = bytePattern(terms.all, terms.marker);
  const idBytes = bytePattern(terms.identifying, terms.marker);
  const text = allText;
  // Markup, style sheets and comments lose what identifies; the text between them loses every string.
  const html: Replace = (value) =>
    value
      .split(/(<style\b[\s\S]*?<\/style\s*>|<!--[\s\S]*?-->|<[^>]*>)/i)
      .map((piece, i) => (i % 2 === 1 ? idHtml(piece) : allHtml(piece)))
      .join('');
  const bytes = (value: Buffer, which: RegExp | null) => {
    if (!which) return value;
    const view = value.toString('latin1');
    const out = view.replace(which, (match) => fill(match, terms.marker));
    return out === view ? value : Buffer.from(out, 'latin1');
  };
  const fields = { all: allText, identifying: idText };

  const message = async (source: Buffer, depth: number): Promise<Buffer> => {
    let chunks: SplitterChunk[];
    try {
      chunks = await split(source);
    } catch {
      return bytes(source, allBytes);
    }
    const out: Buffer[] = [];
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as SplitterChunk;
      if (chunk.type !== 'node') {
        // Multipart structure: preambles, delimiters, epilogues. (The splitter gives a body only after its node.)
        out.push(chunk.type === 'data' ? dataLines(chunk.value, idText) : chunk.value);
        continue;
      }
      const body: Buffer[] = [];
      for (let next = chunks[i + 1]; next && next.type === 'body'; next = chunks[i + 1]) {
        body.push(next.value);
        i++;
      }
      const raw = Buffer.concat(body);
      const header = chunk.getHeaders();
      const eol = header.includes('\r\n') ? '\r\n' : '\n';
      const rewritten = body.length > 0 ? await leaf(chunk, raw, eol, depth) : null;
      out.push(headerBlock(header, eol, fields, rewritten?.charset));
      out.push(rewritten?.body ?? raw);
    }
    const result = Buffer.concat(out);
    return result.equals(source) ? source : result;
  };

  /** A part's body rewritten, or null when nothing in it had to go. */
  const leaf = async (
    node: MimeNode,
    raw: Buffer,
    eol: string,
    depth: number,
  ): Promise<{ body: Buffer; charset?: string } | null> => {
    // Line breaks at the end stay as they are; a quoted-printable soft break keeps its own.
    let end = raw.length;
    while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
    if (node.encoding === 'quoted-printable' && end < raw.length && raw[end - 1] === 0x3d) {
      end += raw[end] === 0x0d ? 2 : 1;
    }
    const content = raw.subarray(0, end);
    const decoded = decodeTransfer(content, node.encoding);
    const type = node.contentType || 'text/plain';
    let changed: Buffer | null = null;
    let charset: string | undefined;
    if (isText(type)) {
      const declared = node.charset || 'utf-8';
      const value = decodeCharset(decoded, declared);
      const redacted = type === 'text/html' ? html(value) : text(value);
      if (redacted !== value) {
        const encoded = encodeCharset(redacted, declared);
        changed = encoded.bytes;
        if (!encoded.kept) charset = 'utf-8';
      }
    } else if ((type === 'message/rfc822' || type === 'message/global') && depth < MAX_DEPTH) {
      const inner = await message(decoded, depth + 1);
      if (inner !== decoded) changed = inner;
    } else {
      const redacted = bytes(decoded, idBytes);
      if (redacted !== decoded) changed = redacted;
    }
    if (changed === null) return null;
    const body = Buffer.concat([encodeTransfer(changed, node.encoding, content, eol), raw.subarray(content.length)]);
    return charset ? { body, charset } : { body };
  };

  return {
    text,
    html,
    message: (source) => message(Buffer.from(source.buffer, source.byteOffset, source.byteLength), 0),
  };
}

// Matching ----------------------------------------------------------------------------------------

const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const APOSTROPHES = `(?:['\u2018\u2019\`])`;
const HYPHENS = '(?:[-\u2010\u2011])';

/** One character of a string as it may be written in plain text. */
function textChar(ch: string): string {
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
function htmlChar(ch: string): string {
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
function pattern(needles: readonly string[], marker: string, char: (ch: string) => string): RegExp | null {
  const strings = clean(needles);
  if (strings.length === 0) return null;
  const alternatives = strings.map((s) => Array.from(s, char).join(''));
  return new RegExp([escape(marker), ...alternatives].join('|'), 'gi');
}

/**
 * The same over bytes read one byte to a character: each string as UTF-8, as Latin-1 where it can
 * be, and as UTF-16 (both byte orders), the forms in which text sits inside other files.
 */
function bytePattern(needles: readonly string[], marker: string): RegExp | null {
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
function fill(match: string, marker: string): string {
  let k = 0;
  let out = '';
  for (const ch of match) out += ch === '\u0000' ? ch : (marker[k++] ?? ' ');
  return out;
}

// Structure ---------------------------------------------------------------------------------------

/** The message split by mailparser's own splitter, so parts are found exactly where it finds them. */
async function split(source: Buffer): Promise<SplitterChunk[]> {
  const splitter = new mailsplit.Splitter();
  splitter.end(source);
  const chunks: SplitterChunk[] = [];
  for await (const chunk of splitter as AsyncIterable<SplitterChunk>) chunks.push(chunk);
  return chunks;
}

/** Types whose content is read as text in a charset. */
function isText(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type === 'message/delivery-status' ||
    type === 'message/disposition-notification' ||
    type === 'message/feedback-report'
  );
}

/** Multipart preambles and epilogues lose what identifies; delimiter lines are left alone. */
function dataLines(value: Buffer, text: Replace): Buffer {
  const utf8 = isUtf8(value);
  const before = value.toString(utf8 ? 'utf8' : 'latin1');
  const after = before
    .split(/(?<=\n)/)
    .map((line) => (line.startsWith('--') ? line : text(line)))
    .join('');
  return after === before ? value : Buffer.from(after, utf8 ? 'utf8' : 'latin1');
}

/**
 * A node's header block with the strings removed from every field. A field that changes keeps its
 * name and its place; one that does not is left byte for byte. `charset` replaces the charset of
 * the Content-Type (a part whose charset could not be written again is written as UTF-8).
 */
function headerBlock(
  block: Buffer,
  eol: string,
  replace: { all: Replace; identifying: Replace },
  charset?: string,
): Buffer {
  // Fields with their continuation lines.
  const fields = block
    .toString('latin1')
    .split(/(?<=\n)(?![ \t])/)
    .filter((field) => field !== '');
  let changed = false;
  const out = fields.map((latin1) => {
    const bytes = Buffer.from(latin1, 'latin1');
    if (/^\r?\n$/.test(latin1)) return bytes;
    const utf8 = isUtf8(bytes);
    const before = utf8 ? bytes.toString('utf8') : latin1;
    const after = headerField(before, eol, replace, charset);
    if (after === before) return bytes;
    changed = true;
    return Buffer.from(after, utf8 ? 'utf8' : 'latin1');
  });
  return changed ? Buffer.concat(out) : block;
}

const ENCODED_WORD = String.raw`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`;
const ENCODED_RUN = new RegExp(`${ENCODED_WORD}(?:\\s+${ENCODED_WORD})*`, 'g');

function headerField(
  field: string,
  eol: string,
  replace: { all: Replace; identifying: Replace },
  charset?: string,
): string {
  const colon = /^[!-9;-~]+[ \t]*:/.exec(field)?.[0].length ?? 0; // a line without a field name (mbox "From ") is all value
  const name = field.slice(0, colon);
  const key = name.slice(0, -1).trim().toLowerCase();
  if (key === 'content-type' || key === 'content-disposition') {
    return parameters(field, name, eol, replace.all, key === 'content-type' ? charset : undefined);
  }
  const value = field.slice(colon);
  const plain = READ_FIELDS.has(key) ? replace.all : replace.identifying;
  let out = name;
  let last = 0;
  for (const run of value.matchAll(ENCODED_RUN)) {
    out += plain(value.slice(last, run.index));
    out += encodedRun(run[0], eol, replace.all);
    last = run.index + run[0].length;
  }
  return out + plain(value.slice(last));
}

/** Adjacent encoded words decoded together (a name may be split between them), and encoded again if changed. */
function encodedRun(run: string, eol: string, replace: Replace): string {
  let decoded: string;
  try {
    decoded = libmime.decodeWords(run);
  } catch {
    return replace(run);
  }
  const redacted = replace(decoded);
  if (redacted === decoded) return run;
  const letter = /^=\?[^?]+\?([bBqQ])\?/.exec(run)?.[1]?.toUpperCase() ?? 'Q';
  return libmime.encodeWord(redacted, letter, 52).split(' ').join(`${eol} `);
}

/**
 * Content-Type and Content-Disposition: a file name loses the strings, in whichever encoding it was
 * written; the type, boundary, charset and other parameters are structure and stay as they are.
 */
function parameters(field: string, name: string, eol: string, replace: Replace, charset?: string): string {
  const value = field
    .slice(name.length)
    .replace(/\r?\n(?=[ \t])/g, '')
    .trim();
  const parsed = libmime.parseHeaderValue(value);
  let changed = false;
  for (const [key, raw] of Object.entries(parsed.params)) {
    if (!READ_PARAMETERS.has(key)) continue;
    let decoded = raw;
    if (!parsed.decodedParams.includes(key)) {
      try {
        decoded = libmime.decodeWords(raw);
      } catch {
        decoded = raw;
      }
    }
    const redacted = replace(decoded);
    if (redacted !== decoded) {
      parsed.params[key] = redacted;
      changed = true;
    }
  }
  if (charset && parsed.params.charset !== charset) {
    parsed.params.charset = charset;
    changed = true;
  }
  if (!changed) return field;
  const folded = libmime.foldLines(`${name} ${libmime.buildHeaderValue(parsed)}`, 76).replace(/\r?\n/g, eol);
  return folded + eol;
}

// Encodings ---------------------------------------------------------------------------------------

function decodeTransfer(content: Buffer, encoding: string | false): Buffer {
  if (encoding === 'base64') return Buffer.from(content.toString('latin1'), 'base64');
  if (encoding === 'quoted-printable') return libqp.decode(content);
  return content;
}

/** Encodes content as the part was: base64 in lines as long as the original's, quoted-printable, or as is. */
function encodeTransfer(content: Buffer, encoding: string | false, original: Buffer, eol: string): Buffer {
  if (encoding === 'base64') {
    const lines = original.toString('latin1').split(/\r?\n/);
    const first = lines[0]?.length ?? 0;
    const width = lines.length > 1 && first >= 4 && first <= 998 ? first : 76;
    const encoded = content.toString('base64');
    const wrapped: string[] = [];
    for (let i = 0; i < encoded.length; i += width) wrapped.push(encoded.slice(i, i + width));
    return Buffer.from(wrapped.join(eol), 'latin1');
  }
  if (encoding === 'quoted-printable') {
    const encoded = libqp.wrap(libqp.encode(content), 76);
    return Buffer.from(eol === '\n' ? encoded.replace(/\r\n/g, '\n') : encoded, 'latin1');
  }
  return content;
}

/** Text in its declared charset, read as mailparser reads it (an unknown charset as UTF-8). */
function decodeCharset(bytes: Buffer, charset: string): string {
  if (isUtf8Name(charset)) return bytes.toString('utf8');
  return libcharset.decode(bytes, charset);
}

/** Text written in its declared charset; `kept` is false when that charset cannot be written. */
function encodeCharset(value: string, charset: string): { bytes: Buffer; kept: boolean } {
  if (isUtf8Name(charset)) return { bytes: Buffer.from(value, 'utf8'), kept: true };
  const name = libcharset.normalizeCharset(charset);
  if (iconv.encodingExists(name)) return { bytes: iconv.encode(value, name), kept: true };
  return { bytes: Buffer.from(value, 'utf8'), kept: false };
}

function isUtf8Name(charset: string): boolean {
  return ['ascii', 'usascii', 'utf8'].includes(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''));
}
