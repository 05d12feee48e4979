import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/modules/accounts/domain.ts';
import { publicationsDemoLoader } from '../../src/modules/publications/publications.demo.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  const lead = await createUser(t.services, { role: 'relationship-lead' });
  await publicationsDemoLoader.load({
    db: t.db,
    services: t.services,
    clock: t.clock,
    authorityIds: new Map(),
    userIds: new Map<Role, string>([['relationship-lead', lead.id]]),
  });
});
afterAll(async () => {
  await t.close();
});

const get = (url: string) => t.app.inject({ method: 'GET', url });

describe('the demo publications', () => {
  it('are reached from the home page, and the library lists them', async () => {
    const home = await get('/');
    expect(home.body).toContain('href="/publications"');
    expect(home.body).toContain('href="/link-officers"');
    const library = await get('/publications');
    for (const title of [
      'Missed and late: what complaints about home care visits tell councils',
      'Joined up: handling complaints that cross health and social care',
      'Our policy on unreasonable complainant behaviour',
      'Responding to our enquiries: guidance for link officers',
    ])
      expect(library.body).toContain(title);
    expect(library.body).not.toContain('Annual review of local government complaints');
  });

  it('include a focus report with questions for councillors, a joint report naming its partners and a corrected note', async () => {
    const focus = await get('/publications/missed-and-late-what-complaints-about-home-care-visits-tell-councils');
    expect(focus.body).toContain('Questions for councillors');
    expect(focus.body).toContain('Contents');
    const joint = await get('/publications/joined-up-handling-complaints-that-cross-health-and-social-care');
    expect(joint.body).toContain(
      'A joint report with The Health Service Complaints Ombudsman and The Care Quality Forum.',
    );
    const note = await get('/publications/responding-to-our-enquiries-guidance-for-link-officers');
    expect(note.body).toContain('We corrected the number of working days');
    expect(note.body).toContain('<strong>20 working days</strong>');
  });

  it('put the latest focus reports and guidance on the page for link officers, and the policy in the library', async () => {
    const page = await get('/link-officers');
    expect(page.body).toContain('Putting things right: our guidance on remedies');
    expect(page.body).toContain('href="/link-officer-change"');
    const policy = await get('/publications?topic=unreasonable-behaviour');
    expect(policy.body).toContain('Our policy on unreasonable complainant behaviour');
  });
});
