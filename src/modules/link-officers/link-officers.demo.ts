import type { DemoLoader } from '../../cli/demo-fixtures.ts';
import type { Actor } from '../accounts/domain.ts';

/** Made-up link officers for the demo councils, with numbers from Ofcom's drama ranges. */
const OFFICERS = [
  { title: 'Mr', forename: 'Kwame', surname: 'Asante', phone: '+442079460101' },
  { title: 'Ms', forename: 'Bethan', surname: 'Rees', phone: '+441134960202' },
  { title: 'Dr', forename: 'Ioana', surname: 'Popescu', phone: '+441174960303' },
  { title: 'Mx', forename: 'Rowan', surname: 'Fairley', phone: '+441614960404' },
];

/**
 * Demo link officers, entered by the demo relationship lead: the home council's is the demo link
 * officer account; every other council but the last gets one made-up officer, so the staff home
 * shows a council that still needs a link officer.
 */
export const linkOfficersDemoLoader: DemoLoader = {
  name: 'link officers',
  load: async (ctx) => {
    const leadId = ctx.userIds.get('relationship-lead');
    if (!leadId) return;
    const lead: Actor = { type: 'user', id: leadId, roles: ['relationship-lead'], authorityId: null };
    // The demo link officer account is the home council's link officer.
    const accountId = ctx.userIds.get('link-officer');
    const account = accountId ? await ctx.services.accounts.findUserById(accountId) : undefined;
    const home = account?.authority_id ?? null;
    if (account && home) {
      const [forename = 'Grace', surname = 'Mensah'] = account.display_name.split(' ');
      await ctx.services.linkOfficers.addOfficer(lead, home, {
        title: 'Ms',
        forename,
        surname,
        jobTitle: 'Complaints and Information Manager',
        email: account.email,
        correspondenceEmail: null,
        phone: '+442079460958',
      });
    }
    const others = [...ctx.authorityIds.entries()].filter(([, id]) => id !== home).slice(0, -1);
    for (const [i, [code, id]] of others.entries()) {
      const o = OFFICERS[i % OFFICERS.length];
      if (!o) continue;
      await ctx.services.linkOfficers.addOfficer(lead, id, {
        ...o,
        jobTitle: 'Link Officer',
        email: `${o.forename.toLowerCase()}.${o.surname.toLowerCase()}@${code.toLowerCase()}.example`,
        correspondenceEmail: null,
      });
    }
  },
};
