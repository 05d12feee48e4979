import type { DemoLoader } from '../../cli/demo-fixtures.ts';
import type { Actor } from '../accounts/domain.ts';
import { regionFrom, servicesRunBy, type ServiceArea } from './domain.ts';

/** Made-up people for the demo councils' senior officers. */
const CHIEFS = ['Alex Morgan', 'Priya Shah', 'Tom Ellis', 'Nadia Hussain', 'Owen Roberts', 'Sarah Quinn'];
const MONITORING = ['Jo Fletcher', 'Marcus Bell', 'Ruth Adeyemi', 'Liam O’Connor', 'Hannah Cho', 'Yusuf Ali'];
const HEADS: { area: ServiceArea; jobTitle: string; name: string }[] = [
  { area: 'adult-social-care', jobTitle: 'Director of Adult Social Care', name: 'Kate Ward' },
  { area: 'childrens-services', jobTitle: 'Director of Children’s Services', name: 'Rhys Pritchard' },
  { area: 'education', jobTitle: 'Director of Education', name: 'Ifeoma Nwosu' },
  { area: 'housing', jobTitle: 'Head of Housing', name: 'Sam Okoro' },
  { area: 'planning', jobTitle: 'Head of Planning', name: 'Helen Marsh' },
  { area: 'highways-transport', jobTitle: 'Head of Highways', name: 'Dominic Reid' },
  { area: 'benefits-tax', jobTitle: 'Head of Revenues and Benefits', name: 'Gareth Pryce' },
  { area: 'environmental-services', jobTitle: 'Head of Environmental Services', name: 'Lucy Tan' },
];

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/\b(council|borough|city|county|district|london|of|the)\b/g, '')
    .replace(/[^a-z]+/g, '-')
    .replace(/^-+|-+$/g, '');

/**
 * Demo data of the authority directory: for each demo council a generic inbox, an address, a chief
 * executive, a monitoring officer and a head of each service it runs, entered by the demo relationship
 * lead.
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
      // A head of each service the council runs (no director of adult social care at a district),
      // but none for corporate services, so a head of service can still be added.
      const runs = servicesRunBy(a.kind);
      for (const h of HEADS.filter((head) => runs.includes(head.area))) {
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
