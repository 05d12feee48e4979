import type { DemoLoader } from '../../cli/demo-data.ts';
import type { Actor } from '../accounts/domain.ts';
import type { ServiceArea } from '../authorities/domain.ts';
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

const STORIES: { area: ServiceArea; summary: string; injustice: string }[] = [
  {
    area: 'housing',
    summary: 'The council took five months to repair damp and mould in my flat.',
    injustice: 'My child’s asthma got worse and I had to replace damaged furniture.',
  },
  {
    area: 'adult-social-care',
    summary: 'The council stopped my mother’s care package without a new assessment.',
    injustice: 'I had to give up work to care for her.',
  },
  {
    area: 'education',
    summary: 'The council refused school transport for my son, who has an EHC plan.',
    injustice: 'He missed three weeks of school.',
  },
  {
    area: 'planning',
    summary: 'The council approved an extension next door without considering loss of light.',
    injustice: 'Our kitchen is now dark for most of the day.',
  },
  {
    area: 'benefits-tax',
    summary: 'The council took council tax enforcement action while my appeal was pending.',
    injustice: 'I paid bailiff fees I should not have had to pay.',
  },
  {
    area: 'environmental-services',
    summary: 'Missed bin collections for two months despite repeated reports.',
    injustice: 'Rubbish attracted rats to our garden.',
  },
];

/**
 * Demo complaints in every state across the demo councils: received online, in intake, in
 * assessment (one urgent, one late), under investigation, and closed as premature, invalid and
 * not investigated. Entered through the service, as intake and assessment officers would.
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
    let i = 0;
    const make = (authorityId: string, extra: Partial<NewComplaint> = {}): NewComplaint => {
      const person = PEOPLE[i % PEOPLE.length] ?? {
        name: 'Alex Doe',
        email: 'alex.doe@example.com',
        phone: '+441614960000',
      };
      const story = STORIES[i % STORIES.length] ?? {
        area: 'corporate-other' as const,
        summary: 'A complaint.',
        injustice: 'Distress.',
      };
      i++;
      return {
        authorityId,
        serviceArea: story.area,
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
