import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can, type Actor, type Permission } from '../modules/accounts/domain.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { refusePageInput, requestInputProblems } from './input-boundary.ts';

/**
 * Who may reach a route: anyone (`public`), anyone signed in (`signed-in`), or holders of one
 * permission from the table in modules/accounts/domain.ts. Every page and API route declares one;
 * a test walks every route × role.
 */
export type Access = 'public' | 'signed-in' | Permission;

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface PageRoute {
  method: 'GET' | 'POST';
  url: string;
  access: Access;
  handler: Handler;
  /** Larger body limit for uploads, in bytes. */
  bodyLimit?: number;
  /**
   * Refused callers, signed in or not, are told the page does not exist (404) rather than asked to
   * sign in or told they may not: for pages whose address alone says something (a draft's).
   */
  hidden?: boolean;
  /**
   * A public page the same for every visitor who is not signed in: kept whole for a few seconds and
   * sent again without running the handler (`src/http/public-pages.ts`).
   */
  publicCache?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function allowed(request: FastifyRequest, access: Access): boolean {
  if (access === 'public') return true;
  if (access === 'signed-in') return request.actor !== null;
  return can(request.actor, access);
}

/** Registers a module's pages with its declared access checked before the handler runs. */
export function registerPages(app: FastifyInstance, routes: PageRoute[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { access: route.access },
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      preHandler: async (request, reply) => {
        if (allowed(request, route.access)) {
          const problems = requestInputProblems(request);
          return problems.length > 0 ? refusePageInput(request, reply, problems) : undefined;
        }
        if (route.hidden) throw notFound();
        if (request.actor === null) {
          const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
          return reply.redirect(`/sign-in${next}`, 303);
        }
        return reply.code(403).render('errors/403.njk', {});
      },
      handler: route.publicCache
        ? async (request, reply) =>
            request.server.publicPages.serve(request, reply) ? reply : route.handler(request, reply)
        : route.handler,
    });
  }
}

/** The actor of a route whose declared access needs one (registerPages has already checked it). */
export function actorOf(request: { actor: Actor | null }): Actor {
  if (!request.actor) throw new DomainError('unauthenticated', 'Sign in to continue');
  return request.actor;
}

const pathParams = z.record(z.string(), z.string());
const uuidParam = z.uuid();

/** A record id from the path; anything that is not a uuid is a page that does not exist. */
export function idParam(request: FastifyRequest, name = 'id'): string {
  const parsed = uuidParam.safeParse(pathParams.safeParse(request.params).data?.[name]);
  if (!parsed.success) throw notFound();
  return parsed.data;
}
