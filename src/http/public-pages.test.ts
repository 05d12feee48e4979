import { describe, expect, it } from 'vitest';
import { cutAt, publicMaxAgeMs } from './public-pages.ts';

const TOKEN = 'Zx9'.repeat(15);
const NONCE = 'q+/='.repeat(6);

describe('a page kept whole', () => {
  it('is cut at the visitor’s token and nonce, in the order they appear', () => {
    const html = `<script nonce="${NONCE}">x</script><form><input type="hidden" name="_csrf" value="${TOKEN}"></form><form><input name="_csrf" value="${TOKEN}"></form>`;
    const cut = cutAt(html, { csrf: TOKEN, nonce: NONCE });
    expect(cut?.holes).toEqual(['nonce', 'csrf', 'csrf']);
    const other = { csrf: 'T'.repeat(43), nonce: 'N'.repeat(24) };
    const rebuilt = cut?.parts.map((part, i) => part + (cut.holes[i] ? other[cut.holes[i]] : '')).join('');
    expect(rebuilt).toBe(html.replaceAll(TOKEN, other.csrf).replaceAll(NONCE, other.nonce));
  });

  it('is not kept when a form or script holds a value that is not the visitor’s', () => {
    const html = `<input name="_csrf" value="${TOKEN}"><input name="_csrf" value="someone-else's-token-0000000000">`;
    expect(cutAt(html, { csrf: TOKEN, nonce: NONCE })).toBeNull();
    expect(cutAt(`<script nonce="abc">x</script>`, { csrf: TOKEN, nonce: NONCE })).toBeNull();
  });

  it('is kept longer only when the page is public for longer', () => {
    expect(publicMaxAgeMs('public, max-age=300')).toBe(300_000);
    expect(publicMaxAgeMs('max-age=300, public')).toBe(300_000);
    expect(publicMaxAgeMs('private, max-age=300')).toBe(0);
    expect(publicMaxAgeMs('no-store')).toBe(0);
    expect(publicMaxAgeMs(undefined)).toBe(0);
    expect(publicMaxAgeMs('public, max-age=999999999')).toBe(86_400_000);
  });
});
