import { DEMO_HOME_AUTHORITY, type DemoLoader } from '../../cli/demo-fixtures.ts';
import { addDays } from '../../platform/calendar/calendar.ts';
import type { Actor } from '../accounts/domain.ts';
import { londonInstant } from './domain.ts';

/**
 * Demo training: the complaint-handling course with two sessions (one online, one in person in
 * Manchester), the councillors' eLearning, the link officer conference, and two places the demo link
 * officer booked for their council.
 */
export const trainingDemoLoader: DemoLoader = {
  name: 'training',
  load: async (ctx) => {
    const leadId = ctx.userIds.get('relationship-lead');
    if (!leadId) return;
    const lead: Actor = { type: 'user', id: leadId, roles: ['relationship-lead'], authorityId: null };
    const trainerId = ctx.userIds.get('investigator') ?? null;
    const { training, calendar } = ctx.services;
    const today = calendar.londonDate(ctx.clock.now());
    const at = (days: number, time: string) => {
      const day = calendar.addWorkingDays(addDays(today, days - 1), 1).date;
      return londonInstant(day, time) ?? new Date(`${day}T12:00:00Z`);
    };

    const handling = await training.createCourse(lead, {
      title: 'Effective complaint handling',
      audiences: ['councils', 'care-providers'],
      format: 'online',
      description:
        'A live, interactive course run by experienced complaint handlers.\n\n' +
        'It follows a complaint from the first contact to the final response, with exercises drawn from real cases.',
      learningOutcomes:
        'Plan an investigation\nWrite a clear, evidenced response\nPut things right with a proportionate remedy',
      durationMinutes: 180,
      pricePence: 12_500,
      externalUrl: null,
      published: true,
    });
    await training.createSession(lead, handling, {
      startsAt: at(21, '09:30'),
      endsAt: at(21, '12:30'),
      capacity: 16,
      bookingClosesAt: null,
      joiningInstructions: 'We email the video call link the day before. Join five minutes early to check your sound.',
      venue: null,
      trainerId,
      authorityId: null,
      network: null,
    });
    await training.createSession(lead, handling, {
      startsAt: at(45, '10:00'),
      endsAt: at(45, '15:30'),
      capacity: 24,
      bookingClosesAt: null,
      joiningInstructions: null,
      venue: 'Manchester Central Library, St Peter’s Square, Manchester M2 5PD',
      trainerId,
      authorityId: null,
      network: null,
    });
    await training.createCourse(lead, {
      title: 'Complaints and the role of councillors',
      audiences: ['councillors'],
      format: 'elearning',
      description: 'A short eLearning course for councillors, made with our partner body, with a workbook to keep.',
      learningOutcomes: 'Know what good complaint handling looks like\nAsk the right questions of your council',
      durationMinutes: 60,
      pricePence: 0,
      externalUrl: 'https://learning.ombudsman.example/councillors',
      published: true,
    });
    const conference = await training.createCourse(lead, {
      title: 'Link officer conference',
      audiences: ['link-officers'],
      format: 'event',
      description: 'Our biennial conference for link officers: casework lessons, new guidance and time to meet peers.',
      learningOutcomes: '',
      durationMinutes: 360,
      pricePence: 0,
      externalUrl: null,
      published: true,
    });
    const conferenceSession = await training.createSession(lead, conference, {
      startsAt: at(60, '09:30'),
      endsAt: at(60, '16:00'),
      capacity: 120,
      bookingClosesAt: null,
      joiningInstructions: null,
      venue: 'The Studio, 7 Cannon Street, Birmingham B2 5EP',
      trainerId: null,
      authorityId: null,
      network: 'Link officers in England',
    });
    const linkOfficerId = ctx.userIds.get('link-officer');
    const authorityId = ctx.authorityIds.get(DEMO_HOME_AUTHORITY) ?? null;
    if (linkOfficerId && authorityId) {
      const officer: Actor = { type: 'user', id: linkOfficerId, roles: ['link-officer'], authorityId };
      for (const [name, email] of [
        ['Priya Shah', 'priya.shah@camden.example'],
        ['Tom Ellis', 'tom.ellis@camden.example'],
      ] as const)
        await training.book(officer, conferenceSession, {
          name,
          email,
          organisation: null,
          jobRole: 'Complaints officer',
          accessibilityNeeds: null,
          authorityId,
          purchaseOrder: null,
        });
    }
  },
};
