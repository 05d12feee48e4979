import crypto from 'node:crypto';

/**
 * Names and options of Liaison's cookies: all strictly necessary, HttpOnly and SameSite=Lax. These
 * are the names over plain http (development, tests); with Secure on, each takes the `__Host-`
 * prefix (`cookieNames`), so the browser keeps it only when it is Secure, for the whole site and
 * from this host alone.
 */
export const SESSION_COOKIE = 'liaison_session';
export const CSRF_COOKIE = 'liaison_csrf';
/**
 * Only the random key of a failed form's flash (43 characters): the errors and what was typed are
 * kept on the server (`FormFlashes`), so no cookie grows with a form's input.
 */
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

export const hmac = (secret: string, value: string) =>
  crypto.createHmac('sha256', secret).update(value).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}
