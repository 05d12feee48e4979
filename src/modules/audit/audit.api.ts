import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { auditApiQuery, auditEventsResponse } from './audit.schemas.ts';
import { endOfLondonDay, startOfLondonDay } from './domain.ts';

const isDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);

/** The audit log over the API. */
export function auditApi(services: Services): ApiRoute[] {
  return [
    apiRoute({
      method: 'GET',
      url: '/audit-events',
      access: 'audit:read',
      summary: 'Audit events, newest first',
      description: 'Who did what to which record, and when. Ids and actions only, never personal values.',
      tags: ['Audit'],
      query: auditApiQuery,
      response: auditEventsResponse,
      handler: async ({ actor, query }) => {
        const page = await services.audit.list(
          actor,
          {
            actorId: query.actor,
            recordType: query.recordType,
            recordId: query.recordId,
            action: query.action,
            from: query.from ? (isDate(query.from) ? startOfLondonDay(query.from) : new Date(query.from)) : undefined,
            before: query.to ? (isDate(query.to) ? endOfLondonDay(query.to) : new Date(query.to)) : undefined,
          },
          { cursor: query.cursor, limit: query.limit },
        );
        return {
          items: page.items.map((e) => ({
            id: String(e.id),
            occurredAt: e.occurred_at.toISOString(),
            actor: { type: e.actor_type, id: e.actor_id, role: e.actor_role },
            action: e.action,
            recordType: e.record_type,
            recordId: e.record_id,
            authorityId: e.authority_id,
            requestId: e.request_id,
          })),
          nextCursor: page.nextCursor,
        };
      },
    }),
  ];
}
