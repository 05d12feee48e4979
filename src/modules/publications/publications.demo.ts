import type { DemoLoader } from '../../cli/demo-fixtures.ts';
import { FixedClock } from '../../platform/clock.ts';
import type { Actor } from '../accounts/domain.ts';
import { DEMO_DRAFT, DEMO_PUBLICATIONS } from './publications.demo-content.ts';
import { PublicationsService } from './publications.service.ts';

/**
 * Demo publications: focus reports with questions for councillors, guidance notes (one corrected),
 * a joint report, the policy on unreasonable complainant behaviour, and a draft annual review. Each
 * is written and published by the relationship lead on its own date, through the service, as an
 * editor would. The information for link officers comes with the database.
 */
export const publicationsDemoLoader: DemoLoader = {
  name: 'publications',
  load: async (ctx) => {
    const leadId = ctx.userIds.get('relationship-lead');
    if (!leadId) return;
    const lead: Actor = { type: 'user', id: leadId, roles: ['relationship-lead'], authorityId: null };
    const { settings } = ctx.services.publications;
    const at = (iso: string) =>
      new PublicationsService(ctx.db.kysely, new FixedClock(new Date(iso)), ctx.services.files, settings);
    for (const item of DEMO_PUBLICATIONS) {
      const { publishedAt, correction, ...input } = item;
      const first = correction ? { ...input, body: input.body.replace(correction.is, correction.was) } : input;
      const editor = at(publishedAt);
      const { id } = await editor.createDraft(lead, first);
      await editor.publish(lead, id, null);
      if (correction) await at(correction.at).correct(lead, id, input, correction.note);
    }
    await ctx.services.publications.createDraft(lead, DEMO_DRAFT);
  },
};
