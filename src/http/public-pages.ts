import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../platform/clock.ts';

/**
 * Whole public pages kept for a short time. A page route that is the same for every visitor who is
 * not signed in (a publication, the course list, an authority's published figures) opts in with
 * `page({ publicCache: true })`; its 200 answers to such visitors are kept for `ttlMs` per address
 * and layout state (the cookie banner), and sent again without running the handler or the template.
 *
 * Two things on a page differ for every visitor: the CSRF token of its forms (the cookie banner's)
 * and the nonce of its one inline script. A kept page is stored cut at those two values, and each
 * visitor's own are put back in when it is sent. A page is kept only when every `_csrf` field and
 * every `nonce` attribute held the visitor's own value, so no visitor is ever sent another's.
 *
 * Never kept or served from here: signed-in requests (or part-way through signing in), a page
 * showing a flash (errors, a notice), answers other than 200, anything but GET. Each web process
 * keeps its own pages, so a change made through one process shows in the others within `ttlMs`
 * (`PUBLIC_PAGE_CACHE_SECONDS`; 0 turns the cache off), or within the `max-age` of a page that is
 * sent as `public` for longer (browsers and proxies may keep that one as long in any case).
 */

type Hole = 'csrf' | 'nonce';

interface KeptPage {
  at: number;
  /** How long it is kept: the setting, or longer when the page says browsers and proxies may keep it longer. */
  ttlMs: number;
  contentType: string;
  cacheControl: string | null;
  parts: Buffer[];
  holes: Hole[];
  bytes: number;
}

/** Pages kept at most, in bytes of HTML (a publication's page is 20–60 KB). */
const MAX_BYTES = 64 * 1024 * 1024;

export class PublicPages {
  private readonly kept = new LRUCache<string, KeptPage>({
    maxSize: MAX_BYTES,
    sizeCalculation: (page) => Math.max(1, page.bytes),
  });
  private readonly pending = new WeakMap<FastifyRequest, string>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly clock: Clock,
    readonly ttlMs: number,
  ) {}

  /** The key this request's page is kept under, or null when it must not be kept or served. */
  private keyOf(request: FastifyRequest): string | null {
    if (this.ttlMs <= 0 || request.method !== 'GET') return null;
    if (request.session || request.actor) return null;
    const flash = request.flash;
    if (flash.errors?.length || flash.values || flash.notice) return null;
    return `${request.url}\u0000${JSON.stringify(request.layout)}`;
  }

  /**
   * Sends the kept page when there is a fresh one and returns true; otherwise marks the request so
   * the page its handler sends is kept, and returns false.
   */
  serve(request: FastifyRequest, reply: FastifyReply): boolean {
    const key = this.keyOf(request);
    if (key === null) return false;
    const page = this.kept.get(key);
    if (page && this.clock.now().getTime() - page.at < page.ttlMs) {
      this.hits += 1;
      const values: Record<Hole, Buffer> = {
        csrf: Buffer.from(request.csrfToken),
        nonce: Buffer.from(request.cspNonce),
      };
      const chunks: Buffer[] = [];
      page.parts.forEach((part, i) => {
        chunks.push(part);
        const hole = page.holes[i];
        if (hole) chunks.push(values[hole]);
      });
      reply.type(page.contentType);
      if (page.cacheControl) reply.header('cache-control', page.cacheControl);
      void reply.send(Buffer.concat(chunks));
      return true;
    }
    this.misses += 1;
    this.pending.set(request, key);
    return false;
  }

  /** Keeps the page a marked request is answered with, when it may be kept (onSend). */
  keep(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const key = this.pending.get(request);
    if (key === undefined) return;
    this.pending.delete(request);
    if (reply.statusCode !== 200 || !(payload instanceof Uint8Array)) return;
    const contentType = String(reply.getHeader('content-type') ?? '');
    if (!contentType.startsWith('text/html')) return;
    // A handler that sets a cookie of its own makes a page for this visitor alone.
    if (reply.getHeader('set-cookie') !== undefined && !onlyCommonCookies(reply)) return;
    const html = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    const cut = cutAt(html, { csrf: request.csrfToken, nonce: request.cspNonce });
    if (!cut) return;
    const cacheControl = reply.getHeader('cache-control');
    this.kept.set(key, {
      at: this.clock.now().getTime(),
      ttlMs: Math.max(this.ttlMs, publicMaxAgeMs(cacheControl)),
      contentType,
      cacheControl: typeof cacheControl === 'string' ? cacheControl : null,
      parts: cut.parts.map((part) => Buffer.from(part)),
      holes: cut.holes,
      bytes: payload.byteLength,
    });
  }

  /** Forgets every kept page (e.g. in tests, or after a change the person making it expects to see at once). */
  clear(): void {
    this.kept.clear();
  }

  /** Pages kept, and requests answered from them or not, since the process started. */
  stats(): { pages: number; hits: number; misses: number } {
    return { pages: this.kept.size, hits: this.hits, misses: this.misses };
  }
}

/**
 * A page that tells browsers and proxies they may keep it (`cache-control: public, max-age=N`, as a
 * published year's figures do) is kept here as long: nobody is promised a fresher copy.
 */
export function publicMaxAgeMs(header: unknown): number {
  if (typeof header !== 'string' || !/(^|[\s,])public([\s,]|$)/.test(header)) return 0;
  const seconds = /max-age=(\d+)/.exec(header)?.[1];
  return seconds === undefined ? 0 : Math.min(Number(seconds), 86_400) * 1000;
}

/** Cookies every page request may set whatever its page (CSRF secret, cookie choice, analytics day). */
const COMMON_COOKIE = /^(__Host-)?liaison[-_.](csrf|consent|analytics|flash)/i;

function onlyCommonCookies(reply: FastifyReply): boolean {
  const header = reply.getHeader('set-cookie');
  const cookies = Array.isArray(header) ? header : [String(header)];
  return cookies.every((cookie) => COMMON_COOKIE.test(cookie));
}

/**
 * The page cut at the visitor's CSRF token and nonce, or null when a `_csrf` field or a `nonce`
 * attribute holds anything else (then the page is not kept).
 */
export function cutAt(html: string, values: Record<Hole, string>): { parts: string[]; holes: Hole[] } | null {
  const forms = count(html, 'name="_csrf"');
  const nonces = count(html, ' nonce="');
  if (forms > 0 && values.csrf.length < 16) return null;
  if (nonces > 0 && values.nonce.length < 16) return null;
  const parts: string[] = [];
  const holes: Hole[] = [];
  let from = 0;
  let csrfSeen = 0;
  let nonceSeen = 0;
  for (;;) {
    const atCsrf = values.csrf ? html.indexOf(values.csrf, from) : -1;
    const atNonce = values.nonce ? html.indexOf(values.nonce, from) : -1;
    if (atCsrf < 0 && atNonce < 0) break;
    const isCsrf = atCsrf >= 0 && (atNonce < 0 || atCsrf < atNonce);
    const at = isCsrf ? atCsrf : atNonce;
    parts.push(html.slice(from, at));
    holes.push(isCsrf ? 'csrf' : 'nonce');
    if (isCsrf) csrfSeen += 1;
    else nonceSeen += 1;
    from = at + (isCsrf ? values.csrf.length : values.nonce.length);
  }
  parts.push(html.slice(from));
  if (csrfSeen < forms || nonceSeen < nonces) return null;
  return { parts, holes };
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n += 1;
  return n;
}

declare module 'fastify' {
  interface FastifyInstance {
    publicPages: PublicPages;
  }
}

/** Adds the cache to the application: routes reach it as `request.server.publicPages`. */
export function registerPublicPages(app: FastifyInstance, options: { clock: Clock; ttlSeconds: number }): void {
  const pages = new PublicPages(options.clock, options.ttlSeconds * 1000);
  app.decorate('publicPages', pages);
  app.addHook('onSend', async (request, reply, payload) => {
    pages.keep(request, reply, payload);
    return payload;
  });
}
