import type { SplitterChunk } from '@zone-eu/mailsplit';
import {
  dataLines,
  decodeCharset,
  decodeTransfer,
  encodeCharset,
  encodeTransfer,
  headerBlock,
  isText,
  split,
  type Replace,
} from './redact-mime.ts';
import { bytePattern, fill, htmlChar, pattern, textChar } from './redact-patterns.ts';

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
