import crypto from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Random bytes for nonces, drawn from the system's CSPRNG 4 KB at a time: one system call per 256
 * requests instead of one each. Every nonce is still 16 unpredictable bytes, never reused.
 */
class RandomPool {
  private pool = Buffer.alloc(0);
  private offset = 0;

  take(size: number): Buffer {
    if (this.offset + size > this.pool.length) {
      this.pool = crypto.randomBytes(4096);
      this.offset = 0;
    }
    const out = this.pool.subarray(this.offset, this.offset + size);
    this.offset += size;
    return out;
  }
}

/**
 * Security headers on every response, set by helmet (built once; each request runs it as the
 * Connect-style middleware it is). The Content Security Policy allows scripts only from this origin
 * or carrying the per-request nonce (`request.cspNonce`, which templates and the kept public pages
 * put in their script tags): no 'unsafe-inline' anywhere. A route may set a stricter policy of its
 * own (a sandboxed document): its header replaces this one.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: { production: boolean }): void {
  app.decorateRequest('cspNonce', '');
  const random = new RandomPool();
  // Helmet reads each response's nonce through a directive function, given the raw response.
  const nonces = new WeakMap<ServerResponse, string>();
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", (_request, response) => `'nonce-${nonces.get(response) ?? ''}'`],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: options.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
  });
  app.addHook('onRequest', (request, reply, done) => {
    request.cspNonce = random.take(16).toString('base64');
    nonces.set(reply.raw, request.cspNonce);
    headers(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
  // Browser features Liaison never uses, refused (helmet does not set this header).
  app.addHook('onSend', async (_request, reply) => {
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
  });
}
