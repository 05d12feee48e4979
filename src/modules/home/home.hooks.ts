import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.ts';

/** Requests that change nothing. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * After any request by an authority's user that may change something (a form posted, an API write),
 * before its answer goes: that authority's home snapshots in this process are dropped, so the page
 * the user lands on next shows what they just did rather than a snapshot from before it.
 */
export function registerHomeHooks(app: FastifyInstance, { home }: Services): void {
  app.addHook('onSend', async (request, _reply, payload) => {
    const authorityId = request.actor?.authorityId;
    if (authorityId && !READS.has(request.method)) home.portalChanged(authorityId);
    return payload;
  });
}
