import { describe, expect, it } from 'vitest';
import { safeFilename, sniffType } from './sniff.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('sniffType', () => {
  it('recognises accepted kinds by their first bytes', () => {
    expect(sniffType(Buffer.from('%PDF-1.7 ...'))?.contentType).toBe('application/pdf');
    expect(sniffType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))?.contentType).toBe('image/png');
    expect(sniffType(bytes(0xff, 0xd8, 0xff, 0xe0))?.contentType).toBe('image/jpeg');
    expect(sniffType(Buffer.from('GIF89a....'))?.contentType).toBe('image/gif');
    expect(sniffType(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1))?.contentType).toBe('application/msword');
    expect(
      sniffType(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....word/document.xml')]))
        ?.extension,
    ).toBe('docx');
    expect(sniffType(Buffer.from('Dear Sir,\nThank you – £10.\n'))?.contentType).toBe('text/plain; charset=utf-8');
  });

  it('refuses anything else: executables, other zips, binary, invalid UTF-8, empty files', () => {
    expect(sniffType(bytes(0x4d, 0x5a, 0x90, 0))).toBeNull();
    expect(
      sniffType(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('xl/workbook.xml')])),
    ).toBeNull();
    expect(sniffType(bytes(0x61, 0x00, 0x62))).toBeNull();
    expect(sniffType(bytes(0xc3, 0x28))).toBeNull();
    expect(sniffType(bytes())).toBeNull();
  });
});

describe('safeFilename', () => {
  it('keeps the base name only, without control characters', () => {
    expect(safeFilename('C:\\Users\\me\\letter.pdf', 'pdf')).toBe('letter.pdf');
    expect(safeFilename('../../etc/passwd', 'txt')).toBe('passwd');
    expect(safeFilename('a\u0000b"c.pdf', 'pdf')).toBe('abc.pdf');
    expect(safeFilename('', 'pdf')).toBe('document.pdf');
  });

  it('removes the characters that reorder or hide text: direction marks, embeddings, overrides and isolates', () => {
    // Shown as "invoiceexe.pdf" by a right-to-left override, the name is really "invoice", U+202E, "fdp.exe".
    expect(safeFilename('invoice\u202Efdp.exe', 'txt')).toBe('invoicefdp.exe');
    const bidi = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C';
    expect(safeFilename(`a${bidi}b.pdf`, 'pdf')).toBe('ab.pdf');
    // C1 controls (next line, the single shifts) go too; letters of right-to-left scripts stay.
    expect(safeFilename('a\u0085b\u008Ec\u009F.pdf', 'pdf')).toBe('abc.pdf');
    expect(safeFilename('رسالة.pdf', 'pdf')).toBe('رسالة.pdf');
    expect(safeFilename('\u202E\u200F', 'pdf')).toBe('document.pdf');
  });
});
