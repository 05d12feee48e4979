import type { Services } from '../../services.ts';
import { page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import type { FieldError } from '../../platform/errors.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import { auditPageQuery } from './audit.schemas.ts';
import { endOfLondonDay, readDateParts, startOfLondonDay, type AuditFilter } from './domain.ts';
import { auditEventRow, auditHref } from './presenters.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
          events: events.items.map(auditEventRow),
          nextUrl: events.nextCursor ? auditHref({ ...filters, cursor: events.nextCursor }) : null,
          firstPageUrl: cursor ? auditHref(filters) : null,
        });
      },
    }),
  ];
}
