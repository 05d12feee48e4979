import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactUrl } from './logger.ts';

describe('redactUrl', () => {
  it('removes one-time link tokens from paths', () => {
    expect(redactUrl('/invitation/0avVP7uhwY3ErXpxOlDdnIbgisQ9x4mPZOrJDubndXU')).toBe('/invitation/[redacted]');
    expect(redactUrl('/set-up/0avVP7uhwY3ErXpxOlDdnIbgisQ9x4mPZOrJDubndXU/next')).toBe('/set-up/[redacted]/next');
  });

  it('keeps ordinary paths and ids readable', () => {
    expect(redactUrl('/staff/authorities/2b1f6a1e-7d1c-4a55-9d3e-1f2a3b4c5d6e')).toBe(
      '/staff/authorities/2b1f6a1e-7d1c-4a55-9d3e-1f2a3b4c5d6e',
    );
    expect(redactUrl('/staff/authorities?kind=district&page=2')).toBe('/staff/authorities?kind=district&page=2');
  });

  it('removes CSRF and token query values', () => {
    expect(redactUrl('/staff/authorities/import?_csrf=abc123')).toBe('/staff/authorities/import?_csrf=%5Bredacted%5D');
  });

  it('logs what a person typed in a search by its name only, whatever the key', () => {
    expect(redactUrl('/staff/complaints?q=Ann+Smith&status=open')).toBe(
      '/staff/complaints?q=%5Bredacted%5D&status=open',
    );
    expect(redactUrl('/staff/people?email=ann%40example.com&surname=Smith')).toBe(
      '/staff/people?email=%5Bredacted%5D&surname=%5Bredacted%5D',
    );
  });
});

describe('request logging', () => {
  it('logs the method and a redacted path, never the client address', async () => {
    const { createLogger } = await import('./logger.ts');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/invitation/0avVP7uhwY3ErXpxOlDdnIbgisQ9x4mPZOrJDubndXU',
          remoteAddress: '203.0.113.9',
        },
      },
      'incoming',
    );
    expect(lines.join('')).toContain('/invitation/[redacted]');
    expect(lines.join('')).not.toContain('203.0.113.9');
  });
});
