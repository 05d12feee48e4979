import { isUtf8 } from 'node:buffer';
import mailsplit, { type SplitterChunk } from '@zone-eu/mailsplit';
import iconv from 'iconv-lite';
import libmime from 'libmime';
import libcharset from 'libmime/lib/charset';
import libqp from 'libqp';

/**
 * The MIME side of the redactor: a message split into its parts, header fields rewritten without the
 * strings (encoded words and file names included), and bodies decoded and encoded again as they were.
 */

export type Replace = (value: string) => string;

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

/** The message split by mailparser's own splitter, so parts are found exactly where it finds them. */
export async function split(source: Buffer): Promise<SplitterChunk[]> {
  const splitter = new mailsplit.Splitter();
  splitter.end(source);
  const chunks: SplitterChunk[] = [];
  for await (const chunk of splitter as AsyncIterable<SplitterChunk>) chunks.push(chunk);
  return chunks;
}

/** Types whose content is read as text in a charset. */
export function isText(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type === 'message/delivery-status' ||
    type === 'message/disposition-notification' ||
    type === 'message/feedback-report'
  );
}

/** Multipart preambles and epilogues lose what identifies; delimiter lines are left alone. */
export function dataLines(value: Buffer, text: Replace): Buffer {
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
export function headerBlock(
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

export function decodeTransfer(content: Buffer, encoding: string | false): Buffer {
  if (encoding === 'base64') return Buffer.from(content.toString('latin1'), 'base64');
  if (encoding === 'quoted-printable') return libqp.decode(content);
  return content;
}

/** Encodes content as the part was: base64 in lines as long as the original's, quoted-printable, or as is. */
export function encodeTransfer(content: Buffer, encoding: string | false, original: Buffer, eol: string): Buffer {
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
export function decodeCharset(bytes: Buffer, charset: string): string {
  if (isUtf8Name(charset)) return bytes.toString('utf8');
  return libcharset.decode(bytes, charset);
}

/** Text written in its declared charset; `kept` is false when that charset cannot be written. */
export function encodeCharset(value: string, charset: string): { bytes: Buffer; kept: boolean } {
  if (isUtf8Name(charset)) return { bytes: Buffer.from(value, 'utf8'), kept: true };
  const name = libcharset.normalizeCharset(charset);
  if (iconv.encodingExists(name)) return { bytes: iconv.encode(value, name), kept: true };
  return { bytes: Buffer.from(value, 'utf8'), kept: false };
}

function isUtf8Name(charset: string): boolean {
  return ['ascii', 'usascii', 'utf8'].includes(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''));
}
