import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';
import { TotpSecretBox } from './totp-secrets.ts';

const key = (id: string, byte: number) => ({ id, key: Buffer.alloc(32, byte) });
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const USER = '0b6f3c1e-8d7a-4a43-9a55-3f2f6f1f7c11';
const OTHER_USER = '7d0e7d55-4f38-4a0c-9b59-6d0f5a5c2b01';

describe('two-factor secrets at rest', () => {
  it('seals a secret so that only its user, with a configured key, opens it', () => {
    const box = new TotpSecretBox([key('k1', 1)]);
    const sealed = box.seal(USER, SECRET);
    expect(sealed).toMatch(/^t1:k1:[\w-]+$/);
    expect(sealed).not.toContain(SECRET);
    expect(box.seal(USER, SECRET)).not.toBe(sealed); // a fresh nonce each time
    expect(box.open(USER, sealed)).toBe(SECRET);
    // Copied to another user's row, it does not open.
    expect(box.open(OTHER_USER, sealed)).toBeNull();
    // Changed, it does not open.
    const at = sealed.length - 10;
    const changed = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    expect(box.open(USER, changed)).toBeNull();
    // A plain secret is not taken as an encrypted one.
    expect(box.open(USER, SECRET)).toBeNull();
  });

  it('opens secrets under an older key and seals under the newest', () => {
    const old = new TotpSecretBox([key('k1', 1)]);
    const rotated = new TotpSecretBox([key('k2', 2), key('k1', 1)]);
    const underOld = old.seal(USER, SECRET);
    expect(rotated.open(USER, underOld)).toBe(SECRET);
    expect(rotated.isCurrent(underOld)).toBe(false);
    const underNew = rotated.seal(USER, SECRET);
    expect(underNew.startsWith('t1:k2:')).toBe(true);
    expect(rotated.isCurrent(underNew)).toBe(true);
    // Once the old key is dropped, what it sealed no longer opens.
    expect(new TotpSecretBox([key('k2', 2)]).open(USER, underOld)).toBeNull();
    // A key with the old id but other bytes does not open it either.
    expect(new TotpSecretBox([key('k1', 9)]).open(USER, underOld)).toBeNull();
  });
});

describe('TOTP_ENCRYPTION_KEYS', () => {
  const base = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), BASE_URL: 'https://liaison.example.test' };
  const b64 = (byte: number) => Buffer.alloc(32, byte).toString('base64');

  it('is required in production', () => {
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow('TOTP_ENCRYPTION_KEYS: required in production');
  });

  it('reads id:key pairs, newest first', () => {
    const config = loadConfig({ ...base, TOTP_ENCRYPTION_KEYS: `new:${b64(2)}, old:${b64(1)}` });
    expect(config.TOTP_ENCRYPTION_KEYS.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.TOTP_ENCRYPTION_KEYS[0]?.key).toEqual(Buffer.alloc(32, 2));
  });

  it('refuses keys that are not 32 bytes, malformed entries and ids used twice', () => {
    for (const value of [`k1:${Buffer.alloc(16).toString('base64')}`, 'no-key-here', `k1:${b64(1)},k1:${b64(2)}`]) {
      expect(() => loadConfig({ ...base, TOTP_ENCRYPTION_KEYS: value }), value).toThrow(/TOTP_ENCRYPTION_KEYS/);
    }
  });

  it('has a development key outside production', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.TOTP_ENCRYPTION_KEYS).toHaveLength(1);
    expect(config.TOTP_ENCRYPTION_KEYS[0]?.key).toHaveLength(32);
  });
});
