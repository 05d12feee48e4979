import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsService } from '../../src/modules/accounts/accounts.service.ts';
import { ROLES, type Actor } from '../../src/modules/accounts/domain.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser, signedInAs } from '../support/factories.ts';

let t: TestApp;
let admin: TestClient;
let adminActor: Actor;
beforeAll(async () => {
  t = await createTestApp();
  const signedIn = await signedInAs(t.db, t.services, 'administrator');
  admin = new TestClient(t.app).withSession(signedIn.token);
  adminActor = { type: 'user', id: signedIn.user.id, roles: ['administrator'], authorityId: null };
});
afterAll(async () => {
  await t.close();
});

const idsOn = (html: string) => [...html.matchAll(/href="\/staff\/users\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
const hrefOf = (html: string, rel: 'next' | 'prev') => {
  const m = new RegExp(`<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="${rel}"`).exec(html);
  return m?.[1]?.replaceAll('&amp;', '&') ?? null;
};

async function auditFor(recordId: string): Promise<string[]> {
  const rows = await t.db.kysely
    .selectFrom('audit_events')
    .select('action')
    .where('record_id', '=', recordId)
    .execute();
  return rows.map((r) => r.action);
}

describe('who may administer users', () => {
  it('gives everyone but administrators a 403 page, and the service refuses them too', async () => {
    for (const role of ROLES.filter((r) => r !== 'administrator')) {
      const { token, user } = await signedInAs(t.db, t.services, role);
      const client = new TestClient(t.app).withSession(token);
      expect((await client.get('/staff/users')).statusCode, role).toBe(403);
      expect((await client.get('/staff/users/invite')).statusCode, role).toBe(403);
      const post = await client.post(`/staff/users/${user.id}/deactivate`, {});
      expect(post.statusCode, role).toBe(403);
      const actor: Actor = { type: 'user', id: user.id, roles: [role], authorityId: user.authorityId };
      await expect(t.services.accounts.listUsers(actor, {})).rejects.toMatchObject({ code: 'forbidden' });
      await expect(
        t.services.accounts.invite(actor, {
          email: 'x@example.test',
          displayName: 'X',
          roles: ['investigator'],
          authorityId: null,
        }),
      ).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it('sends visitors to sign in', async () => {
    const res = await new TestClient(t.app).get('/staff/users');
    expect(res.headers.location).toBe('/sign-in?next=%2Fstaff%2Fusers');
  });
});

describe('the user list', () => {
  it('pages through users 50 at a time by name, forwards and back, keeping the filter', async () => {
    const authorityId = await createAuthority(t.db);
    for (let i = 0; i < 120; i++) {
      await t.db.kysely
        .insertInto('users')
        .values({
          email: `paged-${i}@example.test`,
          display_name: `Paged ${String(i).padStart(3, '0')}`,
          authority_id: authorityId,
          status: 'active',
        })
        .execute();
    }
    const ids = await t.db.kysely.selectFrom('users').select('id').where('email', 'like', 'paged-%').execute();
    await t.db.kysely
      .insertInto('user_roles')
      .values(ids.map((r) => ({ user_id: r.id, role: 'delegate' })))
      .execute();

    const page1 = await admin.get('/staff/users?role=delegate&q=paged');
    expect(page1.statusCode).toBe(200);
    const first = idsOn(page1.body);
    expect(first).toHaveLength(50);
    expect(page1.body).toContain('Paged 000');
    expect(hrefOf(page1.body, 'prev')).toBeNull();

    const next1 = hrefOf(page1.body, 'next');
    expect(next1).toContain('role=delegate');
    const page2 = await admin.get(next1 ?? '');
    const second = idsOn(page2.body);
    expect(second).toHaveLength(50);
    expect(page2.body).toContain('Paged 050');
    expect(second.some((id) => first.includes(id))).toBe(false);

    const page3 = await admin.get(hrefOf(page2.body, 'next') ?? '');
    expect(idsOn(page3.body)).toHaveLength(20);
    expect(page3.body).toContain('Paged 119');
    expect(hrefOf(page3.body, 'next')).toBeNull();

    const back2 = await admin.get(hrefOf(page3.body, 'prev') ?? '');
    expect(idsOn(back2.body)).toEqual(second);
    const back1 = await admin.get(hrefOf(back2.body, 'prev') ?? '');
    expect(idsOn(back1.body)).toEqual(first);
    expect(hrefOf(back1.body, 'prev')).toBeNull();
  });

  it('filters by role and by text in the name or email', async () => {
    await createUser(t.services, {
      role: 'casework-manager',
      displayName: 'Morag Manager',
      email: 'morag@ombudsman.example',
    });
    const byRole = await admin.get('/staff/users?role=casework-manager');
    expect(byRole.body).toContain('Morag Manager');
    expect(byRole.body).not.toContain('Paged 000');
    expect((await admin.get('/staff/users?q=MORAG@omb')).body).toContain('Morag Manager');
    const none = await admin.get('/staff/users?q=nobody-called-this');
    expect(none.body).toContain('No users match');
  });
});

describe('invitations are validated', () => {
  it('needs an authority for authority roles, and refuses staff roles with one', async () => {
    await admin.post('/staff/users/invite', { email: 'a@example.test', displayName: 'A', roles: 'link-officer' });
    let page = await admin.get('/staff/users/invite');
    expect(page.body).toContain('Select the authority this person works for');
    expect(page.body).toContain('value="a@example.test"');

    const authorityId = await createAuthority(t.db);
    await admin.post('/staff/users/invite', {
      email: 'b@example.test',
      displayName: 'B',
      roles: ['investigator'],
      authorityId,
    });
    page = await admin.get('/staff/users/invite');
    expect(page.body).toContain('Ombudsman staff roles cannot belong to an authority');

    await admin.post('/staff/users/invite', { email: 'b@example.test', displayName: 'B' });
    expect((await admin.get('/staff/users/invite')).body).toContain('Select at least one role');
  });

  it('refuses an email address already in use', async () => {
    const existing = await createUser(t.services, { role: 'investigator' });
    await admin.post('/staff/users/invite', {
      email: existing.email.toUpperCase(),
      displayName: 'Copy',
      roles: 'investigator',
    });
    expect((await admin.get('/staff/users/invite')).body).toContain(
      'An account with that email address already exists',
    );
  });
});

describe('choosing the authority of an invitation', () => {
  it('searches the directory instead of listing it, and keeps the search and the choice when the form comes back', async () => {
    // More matches than the page offers: it shows 20 in name order and says there are more.
    for (let i = 0; i < 22; i++)
      await createAuthority(t.db, { name: `Pickerton Care Home ${String(i).padStart(2, '0')}` });
    const closed = await createAuthority(t.db, { name: 'Pickerton Closed Council' });
    await t.db.kysely
      .updateTable('authorities')
      .set({ active: false, closed_at: new Date() })
      .where('id', '=', closed)
      .execute();
    const wanted = await createAuthority(t.db, { name: 'Pickerton Borough Council', kind: 'district' });

    const blank = await admin.get('/staff/users/invite');
    expect(blank.body).not.toContain('Pickerton');
    expect(blank.body).toContain('For an authority user, search for their authority above');

    const found = await admin.get('/staff/users/invite?q=picker');
    const names = [
      ...found.body.matchAll(/<label class="govuk-label govuk-radios__label" for="authorityId-\d+">\s*([^<]+?)\s*</g),
    ]
      .map((m) => m[1])
      .filter((n) => n !== 'Not an authority user');
    expect(names).toHaveLength(20);
    expect(names[0]).toBe('Pickerton Borough Council');
    expect(names).not.toContain('Pickerton Closed Council');
    expect(found.body).toContain('More authorities match than are shown');
    expect(found.body).toMatch(/govuk-radios__hint">\s*District\s*</);

    // A form sent back with errors lists the same authorities, the chosen one still chosen.
    const sent = await admin.post('/staff/users/invite', {
      email: 'not-an-email',
      displayName: 'Pat Picker',
      roles: 'link-officer',
      authorityId: wanted,
      q: 'picker',
    });
    expect(sent.headers.location).toBe('/staff/users/invite?q=picker');
    const back = await admin.get('/staff/users/invite?q=picker');
    expect(back.body).toContain('There is a problem');
    expect(back.body).toMatch(new RegExp(`value="${wanted}" checked`));

    const none = await admin.get('/staff/users/invite?q=nowhereshire');
    expect(none.body).toContain('No open authority matches ‘nowhereshire’');

    // From an authority's page: that authority, chosen, with no search.
    expect((await admin.get(`/staff/authorities/${wanted}`)).body).toContain(
      `href="/staff/users/invite?authority=${wanted}"`,
    );
    const fromPage = await admin.get(`/staff/users/invite?authority=${wanted}`);
    expect(fromPage.body).toMatch(new RegExp(`value="${wanted}" checked`));
    expect((await admin.get(`/staff/users/invite?authority=${closed}`)).body).not.toContain(closed);

    await admin.post('/staff/users/invite', {
      email: 'pat.picker@pickerton.example',
      displayName: 'Pat Picker',
      roles: 'link-officer',
      authorityId: wanted,
    });
    const invited = await t.db.kysely
      .selectFrom('users')
      .select('authority_id')
      .where('email', '=', 'pat.picker@pickerton.example')
      .executeTakeFirstOrThrow();
    expect(invited.authority_id).toBe(wanted);
  });
});

describe('changing roles', () => {
  it('validates roles against the account: staff roles for staff, authority roles for authority users', () => {
    expect(AccountsService.validateRoles(['investigator', 'team-coordinator'], null)).toEqual([
      'investigator',
      'team-coordinator',
    ]);
    const problem = (roles: string[], authorityId: string | null) => {
      try {
        AccountsService.validateRoles(roles, authorityId);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).fields[0]?.message;
      }
      return null;
    };
    expect(problem([], null)).toBe('Select at least one role');
    expect(problem(['link-officer'], null)).toBe('Authority roles need an authority');
    expect(problem(['investigator'], 'a')).toBe('Ombudsman staff roles cannot belong to an authority');
    expect(problem(['overlord'], null)).toBe('Unknown role: overlord');
  });

  it('changes a user’s roles from their page, with an audit row', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    const page = await admin.get(`/staff/users/${user.id}`);
    expect(page.body).toContain('Save roles');
    const res = await admin.post(`/staff/users/${user.id}/roles`, { roles: ['investigator', 'team-coordinator'] });
    expect(res.headers.location).toBe(`/staff/users/${user.id}`);
    expect((await t.services.accounts.findUserById(user.id))?.roles).toEqual(['investigator', 'team-coordinator']);
    expect(await auditFor(user.id)).toContain('user.roles-changed');

    await admin.post(`/staff/users/${user.id}/roles`, { roles: 'link-officer' });
    expect((await admin.get(`/staff/users/${user.id}`)).body).toContain('Authority roles need an authority');
    expect((await t.services.accounts.findUserById(user.id))?.roles).toEqual(['investigator', 'team-coordinator']);
  });

  it('never removes the last active administrator', async () => {
    const fresh = await createTestApp();
    try {
      const only = await signedInAs(fresh.db, fresh.services, 'administrator');
      const actor: Actor = { type: 'user', id: only.user.id, roles: ['administrator'], authorityId: null };
      await expect(fresh.services.accounts.changeRoles(actor, only.user.id, ['investigator'])).rejects.toThrow(
        'at least one active administrator',
      );
      const second = await createUser(fresh.services, { role: 'administrator' });
      await fresh.services.accounts.changeRoles(actor, only.user.id, ['investigator']);
      await expect(fresh.services.accounts.deactivate(actor, second.id)).rejects.toThrow(
        'at least one active administrator',
      );
    } finally {
      await fresh.close();
    }
  });
});

describe('deactivation', () => {
  it('ends the user’s sessions, stops them signing in, and can be undone', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    const theirs = new TestClient(t.app).withSession(await createSession(t.db, user.id));
    expect((await theirs.get('/portal')).statusCode).toBe(200);

    const res = await admin.post(`/staff/users/${user.id}/deactivate`, {});
    expect(res.headers.location).toBe(`/staff/users/${user.id}`);
    const page = await admin.get(`/staff/users/${user.id}`);
    expect(page.body).toContain('Account deactivated');
    expect(page.body).toContain('Reactivate account');
    expect((await theirs.get('/portal')).statusCode).toBe(303);
    const refused = new TestClient(t.app);
    await refused.post('/sign-in', { email: user.email, password: user.password });
    expect((await refused.get('/sign-in')).body).toContain('Enter a correct email address and password');

    await admin.post(`/staff/users/${user.id}/reactivate`, {});
    const back = await new TestClient(t.app).post('/sign-in', { email: user.email, password: user.password });
    expect(back.headers.location).toBe('/home');
    expect(await auditFor(user.id)).toEqual(expect.arrayContaining(['user.deactivated', 'user.reactivated']));
  });

  it('does not let an administrator deactivate themselves', async () => {
    await expect(t.services.accounts.deactivate(adminActor, adminActor.id)).rejects.toThrow(
      'You cannot deactivate your own account',
    );
  });

  it('resets a lost two-factor set-up so the user sets it up again', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    await t.db.kysely
      .updateTable('users')
      .set({ totp_secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', totp_enabled_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    await admin.post(`/staff/users/${user.id}/reset-two-factor`, {});
    const res = await new TestClient(t.app).post('/sign-in', { email: user.email, password: user.password });
    expect(res.headers.location).toBe('/sign-in/two-factor/set-up');
  });
});
