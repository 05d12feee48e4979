import { DEMO_CASES, demoCaseAreas, type DemoLoader } from '../../cli/demo-fixtures.ts';
import type { Actor } from '../accounts/domain.ts';
import { isAuthorityKind, type AuthorityKind } from '../authorities/domain.ts';
import { ComplaintsRepository } from './complaints.repository.ts';
import type { NewComplaint } from './complaints.schemas.ts';

/**
 * Made-up complainants: phone numbers from Ofcom's drama ranges for landlines (stored in E.164 as the
 * forms store them; the drama mobile range 07700 900xxx is not a valid number), email addresses at
 * example domains.
 */
const PEOPLE = [
  { name: 'Aisha Rahman', email: 'aisha.rahman@example.com', phone: '+441134960101' },
  { name: 'Tom Whitaker', email: 'tom.whitaker@example.com', phone: '+441144960202' },
  { name: 'Mei Lin', email: 'mei.lin@example.org', phone: '+441164960303' },
  { name: 'Owen Jones', email: 'owen.jones@example.net', phone: '+441174960404' },
  { name: 'Grace Adeyemi', email: 'grace.adeyemi@example.com', phone: '+441214960505' },
  { name: 'Daniel Novak', email: 'daniel.novak@example.org', phone: '+442079460606' },
];

/**
 * Demo complaints in every state across the demo councils: received online, in intake, in
 * assessment (one urgent, one late), under investigation, and closed as premature, invalid and
 * not investigated. Entered through the service, as intake and assessment officers would. Each is
 * about a service its council runs (a district's never about adult social care).
 */
export const complaintsDemoLoader: DemoLoader = {
  name: 'complaints',
  load: async (ctx) => {
    const intakeId = ctx.userIds.get('intake-officer');
    const investigatorId = ctx.userIds.get('investigator');
    if (!intakeId || !investigatorId) return;
    const officer: Actor = { type: 'user', id: intakeId, roles: ['intake-officer'], authorityId: null };
    const { complaints, calendar } = ctx.services;
    const daysAgo = (n: number) => calendar.londonDate(new Date(ctx.clock.now().getTime() - n * 86_400_000));
    const kinds = new Map<string, AuthorityKind>();
    const ids = [...ctx.authorityIds.values()];
    if (ids.length > 0) {
      const rows = await ComplaintsRepository.in(ctx.db.kysely).authorityKinds(ids);
      for (const r of rows) if (isAuthorityKind(r.kind)) kinds.set(r.id, r.kind);
    }
    let i = 0;
    const make = (authorityId: string, extra: Partial<NewComplaint> = {}): NewComplaint => {
      const person = PEOPLE[i % PEOPLE.length] ?? {
        name: 'Alex Doe',
        email: 'alex.doe@example.com',
        phone: '+441614960000',
      };
      const areas = demoCaseAreas(kinds.get(authorityId) ?? 'other-public-body');
      const area = areas[i % areas.length] ?? 'corporate-other';
      const story = DEMO_CASES[area];
      i++;
      return {
        authorityId,
        serviceArea: area,
        summary: story.summary,
        injustice: story.injustice,
        outcomeWanted: 'An apology and for the council to put things right.',
        authorityProcessFinished: true,
        authorityFinalResponseOn: daysAgo(30),
        authorityComplainedOn: null,
        awareOn: daysAgo(120),
        urgent: [],
        consentToShare: i % 4 !== 0,
        complainant: {
          ...person,
          address: null,
          communicationNeeds: i % 5 === 0 ? 'Large print, please' : null,
          relationship: null,
        },
        representative: null,
        channel: 'phone',
        ...extra,
      };
    };
    for (const authorityId of ctx.authorityIds.values()) {
      await complaints.receive(null, { ...make(authorityId), channel: 'online' });
      await complaints.receive(officer, make(authorityId, { urgent: ['serious-risk'] }));
      const assessing = await complaints.receive(officer, make(authorityId));
      await complaints.intake(officer, assessing.id, { action: 'assessment', reason: null, lateReason: null });
      const late = await complaints.receive(officer, make(authorityId, { awareOn: daysAgo(500) }));
      await complaints.intake(officer, late.id, {
        action: 'assessment',
        reason: null,
        lateReason: 'Was in hospital for much of the year',
      });
      const investigating = await complaints.receive(officer, make(authorityId));
      await complaints.assess(officer, investigating.id, {
        outcome: 'investigate',
        reason: 'Possible fault causing significant injustice',
        lateReason: null,
        investigatorId,
      });
      await complaints.requestDocuments(
        officer,
        investigating.id,
        'The stage 1 and stage 2 responses, and the case notes.',
      );
      const premature = await complaints.receive(
        officer,
        make(authorityId, {
          authorityProcessFinished: false,
          authorityFinalResponseOn: null,
          authorityComplainedOn: daysAgo(14),
        }),
      );
      await complaints.intake(officer, premature.id, {
        action: 'premature',
        reason: 'Stage 2 of the council’s process is still running.',
        lateReason: null,
      });
      const invalid = await complaints.receive(officer, make(authorityId));
      await complaints.assess(officer, invalid.id, {
        outcome: 'invalid',
        reason: 'The complaint is about a private landlord.',
        lateReason: null,
        investigatorId: null,
      });
      const notInvestigated = await complaints.receive(officer, make(authorityId));
      await complaints.assess(officer, notInvestigated.id, {
        outcome: 'not-investigate',
        reason: 'The council has already offered a suitable remedy.',
        lateReason: null,
        investigatorId: null,
      });
    }
  },
};
