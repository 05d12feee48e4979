import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger. Request and job ids are bound as child loggers; personal values are never
 * logged (the redact list is a safety net for fields that should not be there in the first place).
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'liaison' },
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
  });
}
