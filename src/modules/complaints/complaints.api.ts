import type { Services } from '../../services.ts';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import { pageQuery } from '../../platform/pagination.ts';
import { z } from 'zod';
import { STATUSES, type ComplaintStatus } from './domain.ts';
import { authorityActorType, statusActor, type StatusActorRow } from './status-actors.ts';
import {
  apiAssessment,
  apiComplaintDetail,
  apiComplaintList,
  apiCreateComplaint,
  apiCreated,
  complaintIdParams,
} from './complaints.api.schemas.ts';
import type { CaseSummary } from './complaints.service.ts';

const listQuery = pageQuery.extend({
  status: z.enum(STATUSES as [string, ...string[]]).optional(),
  authorityId: z.uuid().optional(),
});

const summaryOut = (c: CaseSummary) => ({
  id: c.id,
  reference: c.reference,
  status: c.status,
  authorityId: c.authorityId,
  authorityName: c.authorityName,
  serviceArea: c.serviceArea,
  urgent: c.urgent,
  outcome: c.outcome,
  receivedAt: c.receivedAt.toISOString(),
});

const party = (p: {
  name: string;
  email?: string | undefined;
  phone?: string | undefined;
  address?: string | undefined;
  communicationNeeds?: string | undefined;
  relationship?: string | undefined;
}) => ({
  name: p.name,
  email: p.email ?? null,
  phone: p.phone ?? null,
  address: p.address ?? null,
  communicationNeeds: p.communicationNeeds ?? null,
  relationship: p.relationship ?? null,
});

/** Who made a status change: by kind and name to staff, by role only (never a name) to the authority. */
function historyActor(h: StatusActorRow, forAuthority: boolean) {
  const who = statusActor(h);
  return forAuthority ? { type: authorityActorType(who.type), name: null } : who;
}

/** Complaints over the API: staff record and assess; authority tokens read their own authority's. */
export function complaintsApi(services: Services): ApiRoute[] {
  const { complaints } = services;
  return [
    apiRoute({
      method: 'POST',
      url: '/complaints',
      access: 'complaints:intake',
      status: 201,
      summary: 'Record a complaint',
      description:
        'Records a complaint received by phone, letter or email. The complainant’s email address is required: ' +
        'the acknowledgement goes there (or to the representative’s, when given). The reference is like `26 001 234`. ' +
        'A missing or malformed field is a 400 problem naming it (e.g. `complainant.email`), and nothing is recorded.',
      tags: ['Complaints'],
      body: apiCreateComplaint,
      response: apiCreated,
      handler: async ({ actor, body }) =>
        complaints.receive(actor, {
          authorityId: body.authorityId,
          serviceArea: body.serviceArea,
          summary: body.summary,
          injustice: body.injustice ?? null,
          outcomeWanted: body.outcomeWanted ?? null,
          authorityProcessFinished: body.authorityProcessFinished,
          authorityFinalResponseOn: body.authorityFinalResponseDate ?? null,
          authorityComplainedOn: body.authorityComplainedDate ?? null,
          awareOn: body.awareDate ?? null,
          urgent: body.urgent ?? [],
          consentToShare: body.consentToShare,
          complainant: party(body.complainant),
          representative: body.representative ? party(body.representative) : null,
          channel: body.channel ?? 'api',
        }),
    }),
    apiRoute({
      method: 'GET',
      url: '/complaints',
      access: 'signed-in',
      summary: 'List complaints',
      description:
        'Newest first. Staff tokens need complaints:read; an authority token sees its own authority’s complaints only.',
      tags: ['Complaints'],
      query: listQuery,
      response: apiComplaintList,
      handler: async ({ actor, query }) => {
        const page = await complaints.list(
          actor,
          { status: query.status as ComplaintStatus | undefined, authorityId: query.authorityId },
          query.cursor,
          query.limit,
        );
        return { items: page.items.map(summaryOut), nextCursor: page.nextCursor };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/complaints/:id',
      access: 'signed-in',
      summary: 'One complaint with its status history',
      description:
        'The complainant is shown to an authority token only when they consented to sharing. Each status change says ' +
        'who made it (`by`): to staff tokens the kind (a person, an API token, the system or the online form) and ' +
        'the person’s or token’s name; to an authority token only whether the ombudsman or the online form acted.',
      tags: ['Complaints'],
      params: complaintIdParams,
      response: apiComplaintDetail,
      handler: async ({ actor, params }) => {
        const view = await complaints.getCase(actor, params.id);
        const history = await complaints.history(actor, params.id);
        const c = view.complaint;
        // The person across cases and a restriction in force on them are for staff only.
        const staff = actor.authorityId === null;
        const partyIds = [view.complainant?.id, view.representative?.id].filter((id): id is string => !!id);
        const [personIds, restriction] = staff
          ? await Promise.all([services.people.personIds(partyIds), services.conduct.restrictionOfCase(actor, c.id)])
          : [new Map<string, string>(), null];
        const partyOut = (p: { id: string; name: string; email: string | null; phone: string | null } | null) =>
          p ? { name: p.name, email: p.email, phone: p.phone, personId: personIds.get(p.id) ?? null } : null;
        return {
          id: c.id,
          reference: c.reference,
          status: c.status,
          authorityId: c.authority_id,
          authorityName: view.authority.name,
          serviceArea: c.service_area,
          urgent: c.urgent,
          outcome: c.outcome,
          receivedAt: c.received_at.toISOString(),
          summary: c.summary,
          injustice: c.injustice,
          outcomeWanted: c.outcome_wanted,
          authorityProcessFinished: c.authority_process_finished,
          authorityFinalResponseDate: c.authority_final_response_on,
          premature: view.premature.applies,
          late: view.late.applies,
          investigatorId: c.investigator_id,
          outcomeReason: c.outcome_reason,
          complainant: partyOut(view.complainant),
          representative: partyOut(view.representative),
          restriction,
          history: history.map((h) => ({
            fromStatus: h.from_status,
            toStatus: h.to_status,
            outcome: h.outcome,
            reason: h.reason,
            changedAt: h.changed_at.toISOString(),
            by: historyActor(h, actor.authorityId !== null),
          })),
        };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/complaints/:id/assessment',
      access: 'complaints:assess',
      summary: 'Record the assessment decision',
      description:
        'investigate moves the complaint to investigation, allocated to investigatorId when given and otherwise ' +
        'unallocated (staff allocate it later from the case page); a late complaint also needs lateReason. Every ' +
        'other outcome closes it and needs a reason. Invalid and out-of-jurisdiction decisions are told to the ' +
        'complainant only: the authority never sees such a case. A missing reason is a 400 problem naming `reason`; ' +
        'a complaint already assessed is a 409.',
      tags: ['Complaints'],
      params: complaintIdParams,
      body: apiAssessment,
      response: z.object({ id: z.string(), status: z.string(), outcome: z.string().nullable() }),
      handler: async ({ actor, params, body }) => {
        await complaints.assess(actor, params.id, {
          outcome: body.outcome,
          reason: body.reason,
          lateReason: body.lateReason,
          investigatorId: body.investigatorId ?? null,
        });
        const view = await complaints.getCase(actor, params.id);
        return { id: view.complaint.id, status: view.complaint.status, outcome: view.complaint.outcome };
      },
    }),
  ];
}
