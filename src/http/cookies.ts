import crypto from 'node:crypto';

/**
 * Names and options of Liaison's cookies: all strictly necessary, HttpOnly and SameSite=Lax. These
 * are the names over plain http (development, tests); with Secure on, each takes the `__Host-`
 * prefix (`cookieNames`), so the browser keeps it only when it is Secure, for the whole site and
 * from this host alone.
 */
export const SESSION_COOKIE = 'liaison_session';
export const CSRF_COOKIE = 'liaison_csrf';
export const FLASH_COOKIE = 'liaison_flash';

/** Secure cookies always in production (TLS may end at a proxy), and wherever BASE_URL is https. */
export const secureCookies = (config: { production: boolean; BASE_URL: string }): boolean =>
  config.production || config.BASE_URL.startsWith('https://');

export interface CookieNames {
  session: string;
  csrf: string;
  flash: string;
}

export const cookieNames = (secure: boolean): CookieNames => {
  const prefix = secure ? '__Host-' : '';
  return { session: prefix + SESSION_COOKIE, csrf: prefix + CSRF_COOKIE, flash: prefix + FLASH_COOKIE };
};

export const cookieOptions = (secure: boolean, maxAgeSeconds?: number) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure,
  ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
});

/** Authenticated encryption for small cookie payloads (the one-request flash). */
export class CookieSealer {
  private readonly key: Buffer;
  constructor(secret: string, purpose: string) {
    this.key = crypto.createHash('sha256').update(`${purpose}:${secret}`).digest();
  }
  seal(value: unknown): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }
  open(sealed: string): unknown {
    try {
      const raw = Buffer.from(sealed, 'base64url');
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }
}

export const hmac = (secret: string, value: string) =>
  crypto.createHmac('sha256', secret).update(value).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}
