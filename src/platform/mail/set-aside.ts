import crypto from 'node:crypto';
import libmime from 'libmime';

/**
 * Large attachments set aside before parsing. mailparser reads a message line by line in
 * JavaScript: a 1 MB attachment is 18,000 lines of base64, and splitting and decoding them is most
 * of the CPU an inbound reply costs. The structure of a message (its headers, its text, which parts
 * are attachments and what they are called) is what mailparser is for; the bytes of a large
 * base64 attachment are not, and Node decodes them natively in a fraction of the time.
 *
 * So before parsing, each large base64 part that is not text is found with native byte searches
 * and its body replaced by a short marker: base64 of a phrase with a random nonce. mailparser parses
 * the small message that is left, and each marker comes back as the content of one attachment,
 * which is then swapped for the part's own bytes, decoded. If any marker does not come back as
 * exactly one attachment, the small message's reading is thrown away and the whole message is parsed
 * as before (`startMailParserPool` does both), so a message this scan reads differently from
 * mailparser costs time, never a wrong result.
 *
 * A part is set aside only when nothing in it can change how the message around it is read: its
 * body holds no `-` (so no boundary line can be inside it; base64 has no `-`), its `=` padding is
 * only at its end (where Node's decoder and mailparser's agree), its header section ends with CRLF
 * CRLF and names one Content-Type and one Content-Transfer-Encoding, without comments or quotes.
 */

/** Parts smaller than this are left to the parser: setting them aside would save little. */
export const SET_ASIDE_MIN_BYTES = 64 * 1024;
/** Multiparts nested deeper than this are left whole to the parser. */
const MAX_DEPTH = 8;
/**
 * A message with more parts than this is parsed whole (mailparser refuses one with over 999), so
 * that a message of many thousands of tiny parts costs the scan little.
 */
const MAX_PARTS = 1000;

class TooManyParts extends Error {}

export interface SetAsidePart {
  /** The body's bytes in the raw message: [start, end). */
  start: number;
  end: number;
  /** What mailparser gives as the content of the attachment standing in for this part. */
  marker: Buffer;
}

export interface SetAsidePlan {
  /** The message with each part's body replaced by its marker, in base64. */
  message: Buffer;
  parts: SetAsidePart[];
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const EQUALS = 0x3d;

/** The plan for `raw`, or null when it has no part worth setting aside. */
export function planSetAside(raw: Buffer, minBytes = SET_ASIDE_MIN_BYTES): SetAsidePlan | null {
  const ranges: Array<{ start: number; end: number }> = [];
  try {
    scanPart(raw, 0, raw.length, 0, minBytes, ranges, { parts: MAX_PARTS });
  } catch (error) {
    if (error instanceof TooManyParts) return null;
    throw error;
  }
  if (ranges.length === 0) return null;
  const nonce = crypto.randomBytes(12).toString('hex');
  const pieces: Buffer[] = [];
  const parts: SetAsidePart[] = [];
  let at = 0;
  for (const [i, range] of ranges.entries()) {
    const marker = Buffer.from(`Liaison set-aside part ${i} ${nonce}`);
    pieces.push(raw.subarray(at, range.start), Buffer.from(`${marker.toString('base64')}\r\n`));
    parts.push({ ...range, marker });
    at = range.end;
  }
  pieces.push(raw.subarray(at));
  return { message: Buffer.concat(pieces), parts };
}

/**
 * Decodes a set-aside part's body, as mailparser would have. The parser thread (parse.ts, whose
 * source cannot import this module) decodes the same way; keep the two alike.
 */
export function decodeSetAside(raw: Buffer, part: Pick<SetAsidePart, 'start' | 'end'>): Buffer {
  return Buffer.from(raw.toString('latin1', part.start, part.end), 'base64');
}

/** Finds the parts to set aside in the MIME entity at raw[start, end). */
function scanPart(
  raw: Buffer,
  start: number,
  end: number,
  depth: number,
  minBytes: number,
  out: Array<{ start: number; end: number }>,
  budget: { parts: number },
): void {
  if (--budget.parts < 0) throw new TooManyParts();
  const bodyStart = endOfHeaders(raw, start, end);
  if (bodyStart < 0) return;
  const headers = headerFields(raw.toString('latin1', start, bodyStart));
  if (!headers) return;
  const contentType = headers.get('content-type');
  if (contentType === undefined) return; // text/plain, or a type mailparser guesses from a file name
  const parsed = libmime.parseHeaderValue(contentType, { stripComments: true });
  const type = parsed.value.toLowerCase().trim();
  if (type.startsWith('multipart/')) {
    if (depth >= MAX_DEPTH) return;
    const boundary = (parsed.params.boundary ?? '').trimEnd();
    if (boundary === '' || Buffer.byteLength(boundary) !== boundary.length) return;
    for (const child of childParts(raw, bodyStart, end, Buffer.from(`--${boundary}`, 'latin1'))) {
      scanPart(raw, child.start, child.end, depth + 1, minBytes, out, budget);
    }
    return;
  }
  const encoding = headers.get('content-transfer-encoding');
  if (type.startsWith('text/') || type.startsWith('message/') || encoding?.trim().toLowerCase() !== 'base64') return;
  if (end - bodyStart < minBytes || !plainBase64(raw, bodyStart, end)) return;
  out.push({ start: bodyStart, end });
}

/** Where the body of the entity at raw[start, end) begins: after its first empty line, which must be CRLF CRLF. */
function endOfHeaders(raw: Buffer, start: number, end: number): number {
  if (raw[start] === CR || raw[start] === LF) return -1; // no headers at all
  const crlf = raw.subarray(0, end).indexOf('\r\n\r\n', start, 'latin1');
  if (crlf < 0) return -1;
  // A line ended by a bare LF could make an empty line earlier for mailparser: leave such a part whole.
  for (let lf = raw.indexOf(LF, start); lf >= 0 && lf <= crlf; lf = raw.indexOf(LF, lf + 1)) {
    if (raw[lf - 1] !== CR) return -1;
  }
  return crlf + 4;
}

/**
 * The Content-Type and Content-Transfer-Encoding of a header section, unfolded. Null when either is
 * given twice or the encoding has a comment or quotes: mailparser would read those its own way.
 */
function headerFields(section: string): Map<string, string> | null {
  const fields = new Map<string, string>();
  for (const line of section.split(/\r\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-type' && name !== 'content-transfer-encoding') continue;
    if (fields.has(name)) return null;
    const value = line.slice(colon + 1).replace(/\r\n(?=[ \t])/g, '');
    if (name === 'content-transfer-encoding' && /[("]/.test(value)) return null;
    fields.set(name, value);
  }
  return fields;
}

/**
 * The parts of a multipart body at raw[start, end): the text between delimiter lines (`--boundary`
 * at the start of a line, then optional spaces or tabs and CRLF), up to the close delimiter
 * (`--boundary--`). A part that no delimiter ends is not returned.
 */
function childParts(raw: Buffer, start: number, end: number, delimiter: Buffer): Array<{ start: number; end: number }> {
  const view = raw.subarray(0, end);
  const lines: Array<{ at: number; next: number }> = [];
  let from = start;
  while (lines.length <= MAX_PARTS) {
    const at = view.indexOf(delimiter, from);
    if (at < 0) break;
    from = at + 1;
    if (at !== start && raw[at - 1] !== LF) continue;
    let p = at + delimiter.length;
    const close = raw[p] === DASH && raw[p + 1] === DASH;
    if (close) p += 2;
    while (raw[p] === 0x20 || raw[p] === 0x09) p++;
    const lineEnds = raw[p] === CR && raw[p + 1] === LF;
    if (!lineEnds && !(close && p >= end)) continue;
    lines.push({ at, next: p + 2 });
    if (close) break;
    from = p + 2;
  }
  const parts: Array<{ start: number; end: number }> = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const here = lines[i];
    const next = lines[i + 1];
    if (!here || !next) continue;
    // The line break before a delimiter belongs to the delimiter.
    const partEnd = raw[next.at - 2] === CR ? next.at - 2 : next.at - 1;
    if (partEnd > here.next) parts.push({ start: here.next, end: partEnd });
  }
  return parts;
}

/**
 * Whether raw[start, end) is base64 that Node's decoder reads as mailparser's does: no `-` (which
 * could start a boundary line) and `=` only as padding at the end, followed by nothing but line breaks.
 */
function plainBase64(raw: Buffer, start: number, end: number): boolean {
  const body = raw.subarray(start, end);
  if (body.indexOf(DASH) >= 0) return false;
  const equals = body.indexOf(EQUALS);
  if (equals < 0) return true;
  for (let i = equals; i < body.length; i++) {
    const c = body[i];
    if (c !== EQUALS && c !== CR && c !== LF) return false;
  }
  return true;
}
