/**
 * What a file is, judged by its content (its first bytes), never by its name or the type a browser
 * claims. Only the kinds of document casework takes are recognised; anything else is refused.
 */

export interface SniffedType {
  contentType: string;
  /** What to call it on a page. */
  description: string;
  extension: string;
}

const PDF: SniffedType = { contentType: 'application/pdf', description: 'PDF', extension: 'pdf' };
const DOCX: SniffedType = {
  contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  description: 'Word document',
  extension: 'docx',
};
const DOC: SniffedType = { contentType: 'application/msword', description: 'Word 97–2003 document', extension: 'doc' };
const PNG: SniffedType = { contentType: 'image/png', description: 'PNG image', extension: 'png' };
const JPEG: SniffedType = { contentType: 'image/jpeg', description: 'JPEG image', extension: 'jpg' };
const GIF: SniffedType = { contentType: 'image/gif', description: 'GIF image', extension: 'gif' };
const TEXT: SniffedType = { contentType: 'text/plain; charset=utf-8', description: 'Text', extension: 'txt' };

/** The kinds accepted, for the hint beside an upload field. */
export const ACCEPTED_KINDS = 'PDF, Word (DOCX or DOC), PNG, JPEG, GIF or plain text';

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

const ascii = (s: string) => Array.from(Buffer.from(s, 'latin1'));

/** A zip file is a Word document when it holds the main document part of a wordprocessing package. */
function isWordZip(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('word/document.xml', 0, 'latin1');
}

/** UTF-8 text: decodes strictly and has no control characters other than tab, line feed, form feed and return. */
function isPlainText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being looked for
  return !/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text);
}

/** The type of a file from its content, or null when it is not a kind that is accepted. */
export function sniffType(bytes: Uint8Array): SniffedType | null {
  if (bytes.length === 0) return null;
  if (startsWith(bytes, ascii('%PDF-'))) return PDF;
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG;
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return JPEG;
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return GIF;
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return isWordZip(bytes) ? DOCX : null;
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return DOC;
  if (isPlainText(bytes)) return TEXT;
  return null;
}

/**
 * Characters taken out of file names: control characters (C0, DEL and C1) and the bidirectional
 * formatting characters (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the
 * left-to-right, right-to-left and Arabic letter marks), which can make "invoice", U+202E, "fdp.exe"
 * look like "invoiceexe.pdf" on a page or in a download dialogue. Letters of right-to-left scripts stay.
 */
const UNSAFE_IN_NAMES = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069"]/gu;

/**
 * A file name safe to store and to send back: no folders, no control or bidirectional formatting
 * characters, at most 200 characters. The files service cleans every name it stores with this.
 */
export function safeFilename(name: string, fallbackExtension: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(UNSAFE_IN_NAMES, '').trim();
  const trimmed = cleaned.length > 200 ? cleaned.slice(cleaned.length - 200) : cleaned;
  return trimmed === '' || trimmed === '.' || trimmed === '..' ? `document.${fallbackExtension}` : trimmed;
}
