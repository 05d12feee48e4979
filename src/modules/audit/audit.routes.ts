import type { Services } from '../../services.ts';
import { page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import type { FieldError } from '../../platform/errors.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import { ROLE_NAMES, isRole } from '../accounts/domain.ts';
import { auditPageQuery } from './audit.schemas.ts';
import { auditActorText, endOfLondonDay, readDateParts, startOfLondonDay, type AuditFilter } from './domain.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const queryString = (params: Record<string, string | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const s = search.toString();
  return s ? `?${s}` : '';
};

/** The staff audit log page: newest first, filtered, paged by cursor. */
export function auditRoutes(services: Services): PageRoute[] {
  return [
    page({
      url: '/staff/audit',
      access: 'audit:read',
      query: auditPageQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const errors: FieldError[] = [];
        if (query.actor && !UUID.test(query.actor)) {
          errors.push({ field: 'actor', message: 'Enter the actor ID as it appears in the log, for example 3f2c…' });
        }
        const from = readDateParts(
          { day: query['from-day'], month: query['from-month'], year: query['from-year'] },
          'Date from',
          'from',
        );
        const to = readDateParts(
          { day: query['to-day'], month: query['to-month'], year: query['to-year'] },
          'Date to',
          'to',
        );
        if (from.error) errors.push(from.error);
        if (to.error) errors.push(to.error);
        if (from.date && to.date && to.date < from.date) {
          errors.push({ field: 'to-day', message: 'Date to must be the same as or after date from' });
        }
        const { cursor, ...filters } = query;
        const values = { ...filters };
        if (errors.length > 0) {
          return reply.code(400).render('audit/views/audit.njk', { errors, values, events: null });
        }
        const filter: AuditFilter = {
          actorId: query.actor,
          recordType: query.recordType,
          recordId: query.recordId,
          action: query.action,
          from: from.date ? startOfLondonDay(from.date) : undefined,
          before: to.date ? endOfLondonDay(to.date) : undefined,
        };
        const events = await services.audit.list(actor, filter, { cursor, limit: DEFAULT_PAGE_SIZE });
        const filtered = Object.values(filters).some((v) => v !== undefined && v !== '');
        return reply.render('audit/views/audit.njk', {
          values,
          filtered,
          events: events.items.map((e) => ({
            id: String(e.id),
            occurredAt: e.occurred_at,
            actor: auditActorText({
              type: e.actor_type,
              name: e.actor_name,
              roleName: e.actor_role === null ? null : isRole(e.actor_role) ? ROLE_NAMES[e.actor_role] : e.actor_role,
              authority: e.actor_authority,
            }),
            actorId: e.actor_id,
            actorUrl: e.actor_id ? `/staff/audit${queryString({ actor: e.actor_id })}` : null,
            action: e.action,
            recordType: e.record_type,
            recordId: e.record_id,
            recordUrl: `/staff/audit${queryString({ recordType: e.record_type, recordId: e.record_id ?? undefined })}`,
          })),
          nextUrl: events.nextCursor ? `/staff/audit${queryString({ ...filters, cursor: events.nextCursor })}` : null,
          firstPageUrl: cursor ? `/staff/audit${queryString(filters)}` : null,
        });
      },
    }),
  ];
}
