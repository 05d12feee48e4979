import { z } from 'zod';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import type { Services } from '../../services.ts';
import { caseContext } from '../complaints/case-context.ts';
import { PARTY_ROLE_NAMES } from '../people/domain.ts';
import { CHANNELS, CHANNEL_NAMES, DEFAULT_REVIEW_MONTHS, MAX_REVIEW_MONTHS, REVIEW_OUTCOME_NAMES } from './domain.ts';
import { callForm, formTerms, recordForm, recordInput, reviewForm } from './conduct.schemas.ts';

const restrictionPage = (id: string) => `/staff/restrictions/${id}`;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : typeof v === 'string' ? [v] : []);

/** The form's choices, with what was typed (after an error) or the terms as they are checked. */
function termChoices(
  values: Record<string, unknown>,
  staff: readonly { id: string; display_name: string }[],
  cases: readonly { complaintId: string; reference: string }[],
) {
  const channels = strs(values.channels);
  const officer = str(values.namedOfficerId);
  const settled = str(values.settledComplaintId);
  return {
    channelItems: CHANNELS.map((c) => ({ value: c, text: `By ${CHANNEL_NAMES[c]}`, checked: channels.includes(c) })),
    officerItems: [
      { value: '', text: 'No named officer' },
      ...staff.map((s) => ({ value: s.id, text: s.display_name, selected: s.id === officer })),
    ],
    settledItems: [
      { value: '', text: 'None' },
      ...[...new Map(cases.map((c) => [c.complaintId, c])).values()].map((c) => ({
        value: c.complaintId,
        text: c.reference,
        selected: c.complaintId === settled,
      })),
    ],
  };
}

/** Staff pages: the case's Contact tab, a person's warnings and restrictions, recording, reviewing, the list. */
export function conductRoutes(services: Services): PageRoute[] {
  const { conduct } = services;
  return [
    page({
      url: '/staff/complaints/:id/contact',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const ctx = await caseContext(services, actor, params.id, 'contact');
        const view = await conduct.ofCase(actor, ctx.view.complaint.id);
        return reply.render('conduct/views/case-tab.njk', {
          ...ctx,
          ...view,
          parties: view.parties.map((p) => Object.assign({ roleName: PARTY_ROLE_NAMES[p.role] }, p)),
        });
      },
    }),
    page({
      url: '/staff/people/:id/conduct',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const view = await conduct.ofPerson(actor, params.id);
        return reply.render('conduct/views/person.njk', { personId: params.id, ...view });
      },
    }),
    page({
      url: '/staff/people/:id/conduct/new',
      access: 'conduct:manage',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const [view, staff] = await Promise.all([conduct.ofPerson(actor, params.id), conduct.staff(actor)]);
        const values = request.flash.values ?? { kind: view.warned ? 'restriction' : 'warning' };
        return reply.render('conduct/views/record-form.njk', {
          personId: params.id,
          name: view.parties[0]?.name ?? '',
          warned: view.warned,
          policy: view.policy,
          values,
          ...termChoices(values, staff, view.parties),
          defaultMonths: DEFAULT_REVIEW_MONTHS,
          maxMonths: MAX_REVIEW_MONTHS,
        });
      },
    }),
    form({
      url: '/staff/people/:id/conduct/new',
      access: 'conduct:manage',
      params: withId,
      body: recordForm,
      back: ({ params }) => `/staff/people/${params.id}/conduct/new`,
      action: async ({ actor, params, body }) => {
        const made = await conduct.record(actor, params.id, recordInput(body));
        return {
          to: restrictionPage(made.id),
          notice: `${body.kind === 'warning' ? 'Warning' : 'Restriction'} recorded and the letter sent: review by ${made.reviewDate}`,
        };
      },
    }),
    page({
      url: '/staff/people/:id/calls/new',
      access: 'complaints:read',
      params: withId,
      query: z.object({ case: z.string().optional() }),
      handler: async ({ actor, params, query }, request, reply) => {
        const { parties, staff } = await conduct.callChoices(actor, params.id);
        const values = request.flash.values ?? {
          complaintId: parties.some((p) => p.complaintId === query.case) ? query.case : '',
          officerId: actor.id,
        };
        const chosenCase = str(values.complaintId);
        const officer = str(values.officerId);
        return reply.render('conduct/views/call-form.njk', {
          personId: params.id,
          name: parties[0]?.name ?? '',
          values,
          caseItems: [
            { value: '', text: 'Not about a particular case' },
            ...[...new Map(parties.map((p) => [p.complaintId, p])).values()].map((p) => ({
              value: p.complaintId,
              text: p.reference,
              selected: p.complaintId === chosenCase,
            })),
          ],
          officerItems: staff.map((u) => ({ value: u.id, text: u.display_name, selected: u.id === officer })),
        });
      },
    }),
    form({
      url: '/staff/people/:id/calls/new',
      access: 'complaints:read',
      params: withId,
      body: callForm,
      back: ({ params }) => `/staff/people/${params.id}/calls/new`,
      action: async ({ actor, params, body }) => {
        const { flags } = await conduct.logCall(actor, params.id, body);
        return {
          to: body.complaintId
            ? `/staff/complaints/${body.complaintId}/contact#calls`
            : `/staff/people/${params.id}/conduct#calls`,
          notice: flags.length > 0 ? 'Call logged, and flagged as received outside the restriction' : 'Call logged',
        };
      },
    }),
    page({
      url: '/staff/restrictions/:id',
      access: 'complaints:read',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const view = await conduct.one(actor, params.id);
        const staff = view.canManage ? await conduct.staff(actor) : [];
        const r = view.record;
        const values = request.flash.values ?? {
          channels: r.channels,
          writtenOnly: r.written_only ? 'yes' : '',
          namedOfficerId: r.named_officer_id ?? '',
          callTimes: r.call_times ?? '',
          maxCallMinutes: r.max_call_minutes === null ? '' : String(r.max_call_minutes),
          weeklyContactCap: r.weekly_contact_cap === null ? '' : String(r.weekly_contact_cap),
          settledComplaintId: r.settled_complaint_id ?? '',
          tellAuthority: r.tell_authority ? 'yes' : '',
        };
        return reply.render('conduct/views/record.njk', {
          ...view,
          values,
          outcomeNames: REVIEW_OUTCOME_NAMES,
          ...termChoices(values, staff, view.parties),
          maxMonths: MAX_REVIEW_MONTHS,
        });
      },
    }),
    form({
      url: '/staff/restrictions/:id/review',
      access: 'conduct:manage',
      params: withId,
      body: reviewForm,
      back: ({ params }) => `${restrictionPage(params.id)}#review`,
      action: async ({ actor, params, body }) => {
        const done = await conduct.review(actor, params.id, {
          outcome: body.outcome,
          reason: body.reason,
          reviewOn: body.reviewOn,
          terms: body.outcome === 'vary' ? formTerms(body) : null,
        });
        return {
          to: restrictionPage(params.id),
          notice:
            done.status === 'lifted'
              ? 'Lifted: the person is sent a letter and the marker is gone from their cases'
              : `${REVIEW_OUTCOME_NAMES[body.outcome]}: the person is sent a letter; next review by ${done.reviewDate ?? ''}`,
        };
      },
    }),
    page({
      url: '/staff/restrictions',
      access: 'conduct:manage',
      handler: async ({ actor }, _request, reply) =>
        reply.render('conduct/views/list.njk', await conduct.overview(actor)),
    }),
    page({
      url: '/staff/contacts',
      access: 'complaints:read',
      handler: async ({ actor }, _request, reply) =>
        reply.render('conduct/views/queue.njk', { contacts: await conduct.myQueue(actor) }),
    }),
    page({
      url: '/staff/conduct/letters/:id/pdf',
      access: 'complaints:read',
      params: z.object({ id: z.uuid() }),
      handler: async ({ actor, params }, _request, reply) => {
        const { filename, pdf } = await conduct.letterPdf(actor, params.id);
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(pdf);
      },
    }),
  ];
}
