import type { DemoLoader } from '../../cli/demo-fixtures.ts';
import { addDays } from '../../platform/calendar/calendar.ts';
import type { Actor } from '../accounts/domain.ts';
import { ConductRepository } from './conduct.repository.ts';
import type { RecordInput } from './domain.ts';

const noTerms = {
  channels: [],
  namedOfficerId: null,
  callTimes: null,
  maxCallMinutes: null,
  writtenOnly: false,
  weeklyContactCap: null,
  settledComplaintId: null,
  tellAuthority: false,
} satisfies Omit<RecordInput, 'kind' | 'reason' | 'reviewOn' | 'staffSafetyRisk' | 'noWarningReason'>;

/**
 * Demo conduct: one complainant with a warning, and another warned and then restricted to email
 * with the demo investigator as named officer (the authority told), with a call logged outside the
 * restriction. Recorded by the casework manager through the service, letters and all.
 */
export const conductDemoLoader: DemoLoader = {
  name: 'conduct',
  load: async (ctx) => {
    const managerId = ctx.userIds.get('casework-manager');
    const officerId = ctx.userIds.get('investigator');
    if (!managerId || !officerId) return;
    const manager: Actor = { type: 'user', id: managerId, roles: ['casework-manager'], authorityId: null };
    const [warned, restricted] = await new ConductRepository(ctx.db.kysely, ctx.services.mail).demoPeople(2);
    if (!warned || !restricted) return;
    const { conduct, calendar } = ctx.services;
    const warning = (personId: string, reason: string) =>
      conduct.record(manager, personId, {
        ...noTerms,
        kind: 'warning',
        reason,
        reviewOn: null,
        staffSafetyRisk: false,
        noWarningReason: null,
      });
    await warning(
      warned,
      'Between 4 and 15 January you sent us 46 emails, many repeating the same points, and copied in all our staff.',
    );
    await warning(restricted, 'On 8, 12 and 19 January you shouted at and swore at the officer on the phone.');
    await conduct.record(manager, restricted, {
      ...noTerms,
      channels: ['email'],
      namedOfficerId: officerId,
      callTimes: 'Tuesdays and Thursdays 10:00 to 12:00',
      maxCallMinutes: 20,
      weeklyContactCap: 3,
      tellAuthority: true,
      kind: 'restriction',
      reason: 'The abusive calls continued after our warning, on 2 and 4 February.',
      reviewOn: null,
      staffSafetyRisk: false,
      noWarningReason: null,
    });
    const yesterday = addDays(calendar.londonDate(ctx.clock.now()), -1);
    await conduct.logCall(manager, restricted, {
      complaintId: null,
      date: yesterday,
      startMinutes: 15 * 60,
      minutes: 35,
      officerId: managerId,
      note: 'Called the main line asking for the manager; reminded them to email their named officer.',
    });
  },
};
