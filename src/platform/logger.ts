import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger. Request and job ids are bound as child loggers; personal values are never
 * logged (the redact list is a safety net for fields that should not be there in the first place).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'liaison' },
      serializers: {
        // The method and path only: no client address (personal data) and no secrets in links.
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: redactUrl(req.url ?? '') }),
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.password',
          '*.email',
          '*.phone',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * Removes secrets from a logged path: one-time link tokens (`/invitation/<token>`, `/set-up/<token>`,
 * `/password-reset/<token>`, confirmation links) and any `_csrf` or `token` query value.
 */
export function redactUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const safePath = path.replace(/\/([A-Za-z0-9_-]{40,})(?=\/|$)/g, '/[redacted]');
  if (query === undefined) return safePath;
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (/csrf|token/i.test(key)) params.set(key, '[redacted]');
  return `${safePath}?${params.toString()}`;
}
