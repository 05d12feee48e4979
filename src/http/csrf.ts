import CsrfTokens from '@fastify/csrf';

/**
 * CSRF tokens (`@fastify/csrf`): a browser's secret lives in its CSRF cookie; each page's forms carry
 * a token made from it with a fresh salt, keyed with the server's secret (HMAC-SHA-256), and a form
 * posted back is accepted only with a token made from that browser's secret. A secret is 32 random
 * bytes (43 characters).
 */
export const csrfTokens = (serverSecret: string) => CsrfTokens({ hmacKey: serverSecret, secretLength: 32 });
