import type { DemoLoader } from '../../cli/demo-data.ts';
import type { Actor } from '../accounts/domain.ts';
import { regionFrom, type ServiceArea } from './domain.ts';

/** Made-up people for the demo councils' senior officers. */
const CHIEFS = ['Alex Morgan', 'Priya Shah', 'Tom Ellis', 'Nadia Hussain', 'Owen Roberts', 'Sarah Quinn'];
const MONITORING = ['Jo Fletcher', 'Marcus Bell', 'Ruth Adeyemi', 'Liam O’Connor', 'Hannah Cho', 'Yusuf Ali'];
const HEADS: { area: ServiceArea; jobTitle: string; name: string }[] = [
  { area: 'adult-social-care', jobTitle: 'Director of Adult Social Care', name: 'Kate Ward' },
  { area: 'housing', jobTitle: 'Head of Housing', name: 'Sam Okoro' },
];

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/\b(council|borough|city|county|district|london|of|the)\b/g, '')
    .replace(/[^a-z]+/g, '-')
    .replace(/^-+|-+$/g, '');

/**
 * Demo data of the authority directory: for each demo council a generic inbox, an address, a chief
 * executive, a monitoring officer and two heads of service, entered by the demo relationship lead.
 */
export const authoritiesDemoLoader: DemoLoader = {
  name: 'senior officers',
  load: async (ctx) => {
    const leadId = ctx.userIds.get('relationship-lead');
    if (!leadId) return;
    const lead: Actor = { type: 'user', id: leadId, roles: ['relationship-lead'], authorityId: null };
    let i = 0;
    for (const id of ctx.authorityIds.values()) {
      const a = await ctx.services.authorities.getAuthority(lead, id);
      const domain = `${slug(a.name) || 'council'}.example`;
      await ctx.services.authorities.update(lead, id, {
        name: a.name,
        kind: a.kind,
        reference: a.reference,
        address: `Town Hall\nHigh Street`,
        region: a.region ? regionFrom(a.region) : null,
        genericInbox: `ombudsman@${domain}`,
        chiefExecutive: {
          title: null,
          name: CHIEFS[i % CHIEFS.length] ?? 'Alex Morgan',
          jobTitle: 'Chief Executive',
          email: `chief.executive@${domain}`,
        },
        monitoringOfficer: {
          title: null,
          name: MONITORING[i % MONITORING.length] ?? 'Jo Fletcher',
          jobTitle: 'Monitoring Officer',
          email: `monitoring.officer@${domain}`,
        },
      });
      for (const h of HEADS) {
        await ctx.services.authorities.setHeadOfService(
          lead,
          id,
          { serviceArea: h.area, title: null, name: h.name, jobTitle: h.jobTitle, email: `${h.area}@${domain}` },
          false,
        );
      }
      i++;
    }
  },
};
