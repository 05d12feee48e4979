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
 * Query keys whose values are logged: filters, pages and periods, never what a person typed. Any
 * other key (a search box's `q`, a name, an email, a token, one added later) is logged by name only.
 */
const LOGGED_QUERY_VALUES = new Set([
  'after',
  'before',
  'page',
  'sort',
  'order',
  'year',
  'month',
  'from',
  'to',
  'kind',
  'region',
  'status',
  'stage',
  'outcome',
  'tab',
  'view',
  'format',
  'serviceArea',
  'topic',
]);

/**
 * Removes secrets and personal data from a logged path: one-time link tokens (`/invitation/<token>`,
 * `/set-up/<token>`, `/password-reset/<token>`, confirmation and unsubscribe links), and every query
 * value but those of `LOGGED_QUERY_VALUES`.
 */
export function redactUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const safePath = path.replace(/\/([A-Za-z0-9_-]{40,})(?=\/|$)/g, '/[redacted]');
  if (query === undefined) return safePath;
  const params = new URLSearchParams(query);
  const logged = new URLSearchParams();
  for (const [key, value] of params)
    logged.append(key, LOGGED_QUERY_VALUES.has(key) ? value.slice(0, 64) : '[redacted]');
  return `${safePath}?${logged.toString()}`;
}
