import { describe, expect, it } from 'vitest';
import { PageEncoder } from './page-bytes.ts';

describe('page bytes', () => {
  it('encodes pages as UTF-8, each into a buffer of its own', () => {
    const encoder = new PageEncoder(64);
    const first = encoder.encode('<p>Siân Ffoulkes – “quoted” 🏛️</p>');
    const second = encoder.encode('<p>Another page</p>');
    expect(first.toString('utf8')).toBe('<p>Siân Ffoulkes – “quoted” 🏛️</p>');
    expect(second.toString('utf8')).toBe('<p>Another page</p>');
  });

  it('encodes a page larger than its buffer, or one ending in a character that would not fit, whole', () => {
    const encoder = new PageEncoder(16);
    for (const text of [
      'x'.repeat(40),
      `${'x'.repeat(12)}€`,
      `${'x'.repeat(13)}€`,
      `${'x'.repeat(14)}€`,
      `${'x'.repeat(11)}🏛`,
      `${'x'.repeat(13)}🏛`,
      '',
    ]) {
      expect(encoder.encode(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });
});
