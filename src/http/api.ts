import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../services.ts';
import { ROLES } from '../modules/accounts/domain.ts';
import { MODULES } from '../modules/index.ts';
import { DomainError } from '../platform/errors.ts';
import { sendProblem } from './errors.ts';
import { zodFieldErrors } from './forms.ts';
import { requestInputProblems } from './input-boundary.ts';
import { API_PREFIX, apiRoute, type ApiRoute } from './api-route.ts';
import { allowed } from './routes.ts';

type Schema = z.ZodType;

/** Every module's API routes, from the module list. */
export function apiModules(services: Services): ApiRoute[][] {
  return MODULES.flatMap((m) => (m.api ? [m.api(services)] : []));
}

/** Every endpoint, including the OpenAPI document itself. */
export function apiRoutes(services: Services): ApiRoute[] {
  const routes = apiModules(services).flat();
  let document: Record<string, unknown> | null = null;
  const openApi: ApiRoute = apiRoute({
    method: 'GET',
    url: '/openapi.json',
    access: 'public',
    summary: 'This OpenAPI 3.1 document',
    tags: ['API'],
    response: z.record(z.string(), z.unknown()),
    handler: async (): Promise<Record<string, unknown>> =>
      (document ??= openApiDocument(all, services.platform.config.BASE_URL)),
  });
  const all: ApiRoute[] = [...routes, openApi];
  return all;
}

/** Registers every endpoint. Call after the page routes. */
export async function registerApi(app: FastifyInstance, services: Services): Promise<void> {
  for (const route of apiRoutes(services)) registerApiRoute(app, services, route);
}

const BEARER = /^Bearer\s+([\w.~+/=-]{1,512})\s*$/i;

function registerApiRoute(app: FastifyInstance, services: Services, route: ApiRoute): void {
  app.route({
    method: route.method,
    url: `${API_PREFIX}${route.url}`,
    config: { access: route.access },
    // Authenticate and authorise before the body is read.
    onRequest: async (request, reply) => {
      const header = request.headers.authorization;
      if (header !== undefined) {
        const token = BEARER.exec(header)?.[1];
        const actor = token ? await services.apiTokens.authenticate(token) : null;
        request.actor = actor ? { ...actor, requestId: request.id } : null;
      }
      if (route.access === 'public') return;
      if (request.actor === null) {
        reply.header('www-authenticate', 'Bearer realm="liaison"');
        return sendProblem(
          reply,
          401,
          'Unauthorised',
          header === undefined
            ? 'Send an API token in the Authorization header: Bearer <token>'
            : 'The API token is not valid, or has been revoked',
        );
      }
      if (!allowed(request, route.access)) {
        return sendProblem(reply, 403, 'Forbidden', 'This API token’s role does not allow this request');
      }
    },
    handler: async (request, reply) => {
      const unsafe = requestInputProblems(request);
      if (unsafe.length > 0) throw new DomainError('validation', 'The request is not valid', unsafe);
      const params = parseInput(route.params, request.params);
      await route.authorise?.({ actor: request.actor, params, body: request.body });
      const query = parseInput(route.query, request.query);
      const body = parseInput(route.body, request.body);
      const result = await route.handler({ request, reply, actor: request.actor, params, query, body });
      // The response schema is the contract: anything it does not name is dropped here.
      const output = route.response.parse(result);
      return reply
        .code(route.status ?? 200)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(output));
    },
  });
}

function parseInput(schema: Schema | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new DomainError('validation', 'The request is not valid', zodFieldErrors(result.error));
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.1, generated from the same zod schemas.

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: Schema, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** The problem+json body every error carries (RFC 9457). */
export const problemSchema = z
  .object({
    type: z.string().describe('Always about:blank: the status says what kind of problem it is'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z
      .array(
        z.object({
          pointer: z.string().describe('JSON pointer to the field in the body, or /name of a query or path parameter'),
          field: z.string(),
          detail: z.string(),
        }),
      )
      .optional()
      .describe('One entry per invalid field, on 400 responses'),
  })
  .describe('RFC 9457 problem details');

const PROBLEM_RESPONSES = {
  BadRequest: 'The request is not valid: malformed JSON, or a parameter or field failed validation',
  Unauthorised: 'No API token was sent, or it is not valid or has been revoked',
  Forbidden: 'The token’s role does not allow this request',
  NotFound: 'There is no such resource',
  PayloadTooLarge: 'The request body is larger than the server accepts',
} as const;

const problemRef = (name: keyof typeof PROBLEM_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

function parameters(schema: Schema | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

export function openApiDocument(routes: readonly ApiRoute[], baseUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      [String(route.status ?? 200)]: {
        description: route.summary,
        content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
      },
    };
    if (route.params || route.query || route.body) responses['400'] = problemRef('BadRequest');
    if (route.access !== 'public') responses['401'] = problemRef('Unauthorised');
    if (route.access !== 'public' && (route.access !== 'signed-in' || route.authorise))
      responses['403'] = problemRef('Forbidden');
    if (route.params) responses['404'] = problemRef('NotFound');
    if (route.body) responses['413'] = problemRef('PayloadTooLarge');
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[^a-zA-Z0-9]+(\w)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(route.access !== 'public' && route.access !== 'signed-in' ? { 'x-permission': route.access } : {}),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Liaison API',
      version: '1',
      description:
        'Casework between the ombudsman and the authorities it investigates. Every request carries an API ' +
        'token (`Authorization: Bearer <token>`) made by an administrator for one role and, for authority ' +
        `roles, one authority. Roles: ${ROLES.join(', ')}. Lists are paginated with an opaque \`cursor\` ` +
        'and a `limit`; each page returns `items` and `nextCursor` (null on the last page). Errors are ' +
        'problem details (RFC 9457).',
    },
    servers: [{ url: `${baseUrl}${API_PREFIX}` }],
    security: [{ bearerToken: [] }],
    tags: [...new Set(routes.flatMap((r) => r.tags))].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token made on the API tokens page or with `npm run cli -- token:create`',
        },
      },
      schemas: { Problem: jsonSchema(problemSchema, 'output') },
      responses: Object.fromEntries(
        Object.entries(PROBLEM_RESPONSES).map(([name, description]) => [
          name,
          { description, content: problemContent },
        ]),
      ),
    },
  };
}
