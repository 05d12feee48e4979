import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '../modules/accounts/domain.ts';
import type { Access } from './routes.ts';

/**
 * The JSON API under /api/v1. Each module declares its endpoints as ApiRoute objects: access, zod
 * schemas for path, query, body and response, and a thin handler calling one service method. The
 * same schemas validate requests, shape responses (unknown fields are dropped) and generate the
 * OpenAPI document at /api/v1/openapi.json. Callers authenticate with `Authorization: Bearer <token>`.
 */

export const API_PREFIX = '/api/v1';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiInput<P, Q, B, A = Actor | null> {
  request: FastifyRequest;
  reply: FastifyReply;
  /** The token's actor: always present unless the endpoint is public. */
  actor: A;
  params: P;
  query: Q;
  body: B;
}

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ApiRouteDefinition<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
  R extends Schema,
  A extends Access,
> {
  method: ApiMethod;
  /** Path under /api/v1, with Fastify parameters: `/users/:id`. */
  url: string;
  access: A;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Success status; 200 unless said otherwise (202: accepted, done in the background). */
  status?: 200 | 201 | 202;
  /**
   * Whether the actor may act on what the path names, checked after the path parameters and before
   * the body is validated: throws (not found, forbidden) when not, so another authority's record is
   * not found whatever the body holds. `body` is the body as sent, not yet validated.
   */
  authorise?: (input: {
    actor: A extends 'public' ? Actor | null : Actor;
    params: Out<P>;
    body: unknown;
  }) => void | Promise<void>;
  handler: (input: ApiInput<Out<P>, Out<Q>, Out<B>, A extends 'public' ? Actor | null : Actor>) => Promise<z.input<R>>;
}

/** An endpoint with its types erased, as the registrar and the OpenAPI generator see it. */
export interface ApiRoute {
  method: ApiMethod;
  url: string;
  access: Access;
  summary: string;
  description?: string;
  tags: string[];
  params?: Schema;
  query?: Schema;
  body?: Schema;
  response: Schema;
  status?: 200 | 201 | 202;
  authorise?: (input: { actor: Actor | null; params: unknown; body: unknown }) => void | Promise<void>;
  handler: (input: ApiInput<unknown, unknown, unknown>) => Promise<unknown>;
}

/** Declares an endpoint; the handler's input and result are typed from its schemas. */
export function apiRoute<
  R extends Schema,
  A extends Access,
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(definition: ApiRouteDefinition<P, Q, B, R, A>): ApiRoute {
  return definition as unknown as ApiRoute;
}
