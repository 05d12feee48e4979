import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cookieNames, secureCookies } from '../../src/http/cookies.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser, signedInAs } from '../support/factories.ts';

let t: TestApp;
const clock = new FixedClock(new Date());
beforeAll(async () => {
  t = await createTestApp({ clock, env: { BASE_URL: 'https://liaison.example.test' } });
});
afterAll(async () => {
  await t.close();
});
// Tests that move time on put it back, as the factories' sessions start at the real time.
afterEach(() => {
  clock.set(new Date());
});

const HOUR = 3_600_000;

/** A browser of this https application: its cookies are Secure, with the __Host- names. */
const browser = () => new TestClient(t.app, cookieNames(secureCookies(t.config)));

/** The newest message to an address, and the one link in it under a path. */
async function linkSentTo(email: string, path: string): Promise<string> {
  const rows = await t.db.kysely
    .selectFrom('outbox_messages')
    .select(['text_body', 'created_at'])
    .where('to_address', '=', email)
    .orderBy('created_at', 'desc')
    .execute();
  const body = rows.map((r) => r.text_body).join('\n');
  const match = new RegExp(`https://liaison\\.example\\.test(/${path}/[\\w-]+)`).exec(body);
  if (!match?.[1]) throw new Error(`no ${path} link in mail to ${email}`);
  return match[1];
}

async function outboxCount(email: string): Promise<number> {
  const rows = await t.db.kysely.selectFrom('outbox_messages').select('id').where('to_address', '=', email).execute();
  return rows.length;
}

async function admin(): Promise<TestClient> {
  const { token } = await signedInAs(t.db, t.services, 'administrator');
  return browser().withSession(token);
}

describe('invitations', () => {
  it('invites a staff member who sets a password once, then must set up two-factor', async () => {
    const client = await admin();
    const res = await client.post('/staff/users/invite', {
      email: 'new.investigator@ombudsman.example',
      displayName: 'Nia Investigator',
      roles: ['investigator'],
      authorityId: '',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/staff\/users\/[0-9a-f-]{36}$/);
    const userPage = await client.get(res.headers.location as string);
    expect(userPage.body).toContain('An invitation has been sent to new.investigator@ombudsman.example');
    expect(userPage.body).toContain('Invited');

    const link = await linkSentTo('new.investigator@ombudsman.example', 'invitation');
    const invitee = browser();
    const form = await invitee.get(link);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Create your password');
    expect(form.body).toContain('new.investigator@ombudsman.example');

    await invitee.post(link, { password: 'too short' });
    expect((await invitee.get(link)).body).toContain('Password must be 12 characters or more');
    await invitee.post(link, { password: 'New.Investigator@ombudsman.example' });
    expect((await invitee.get(link)).body).toContain('Password must not be your email address');

    const accepted = await invitee.post(link, { password: 'a long and unguessable phrase' });
    expect(accepted.headers.location).toBe('/sign-in/two-factor/set-up');
    expect((await invitee.get('/sign-in/two-factor/set-up')).statusCode).toBe(200);

    const again = await browser().get(link);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('This link has already been used');
    const reuse = await browser().post(link, { password: 'another long passphrase' });
    expect(reuse.statusCode).toBe(410);

    const user = await t.db.kysely
      .selectFrom('users')
      .select(['id', 'status'])
      .where('email', '=', 'new.investigator@ombudsman.example')
      .executeTakeFirstOrThrow();
    expect(user.status).toBe('active');
    const actions = await t.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('record_id', '=', user.id)
      .execute();
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['user.invited', 'user.invitation-accepted']));
  });

  it('invites an authority user, who lands in the portal without two-factor', async () => {
    const authorityId = await createAuthority(t.db, { name: 'Exampleshire County Council' });
    const client = await admin();
    const invitePage = await client.get('/staff/users/invite?q=examplesh');
    expect(invitePage.body).toContain('Exampleshire County Council');
    await client.post('/staff/users/invite', {
      email: 'link.officer@exampleshire.example',
      displayName: 'Lee Link',
      roles: 'link-officer',
      authorityId,
    });
    const link = await linkSentTo('link.officer@exampleshire.example', 'invitation');
    const invitee = browser();
    const accepted = await invitee.post(link, { password: 'a long and unguessable phrase' });
    expect(accepted.headers.location).toBe('/portal');
    expect((await invitee.get('/home')).headers.location).toBe('/portal');
    expect((await invitee.get('/portal')).body).toContain('Exampleshire County Council');
  });

  it('refuses an invitation link after it expires', async () => {
    const client = await admin();
    await client.post('/staff/users/invite', {
      email: 'late@ombudsman.example',
      displayName: 'Late Comer',
      roles: 'intake-officer',
    });
    const link = await linkSentTo('late@ombudsman.example', 'invitation');
    clock.advance(72 * HOUR + 1000);
    const page = await browser().get(link);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link has expired');
    expect(page.body).toContain('Ask your Liaison administrator to send you a new invitation');
    const post = await browser().post(link, { password: 'a long and unguessable phrase' });
    expect(post.statusCode).toBe(410);
  });

  it('replaces an earlier invitation when the administrator sends a new one', async () => {
    const client = await admin();
    const res = await client.post('/staff/users/invite', {
      email: 'resend@ombudsman.example',
      displayName: 'Re Send',
      roles: 'investigator',
    });
    const first = await linkSentTo('resend@ombudsman.example', 'invitation');
    clock.advance(1000);
    await client.post(`${res.headers.location as string}/resend-invitation`, {});
    expect(await outboxCount('resend@ombudsman.example')).toBe(2);
    expect((await browser().get(first)).statusCode).toBe(410);
    const second = await linkSentTo('resend@ombudsman.example', 'invitation');
    expect(second).not.toBe(first);
    expect((await browser().get(second)).statusCode).toBe(200);
  });

  it('shows a not-valid page for a made-up link', async () => {
    const res = await browser().get('/invitation/abcdefghijklmnopqrstuvwxyz0123456789');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('This link is not valid');
  });
});

describe('password reset', () => {
  it('shows the same confirmation whether or not the account exists, and emails only real active accounts', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    const deactivated = await createUser(t.services, { role: 'investigator' });
    await t.db.kysely.updateTable('users').set({ status: 'deactivated' }).where('id', '=', deactivated.id).execute();
    const pages: string[] = [];
    for (const email of [user.email, 'nobody@example.test', deactivated.email]) {
      const client = browser();
      const res = await client.post('/password-reset', { email });
      expect(res.headers.location).toBe('/password-reset/sent');
      const page = await client.get('/password-reset/sent');
      pages.push(page.body.replace(/nonce="[^"]+"|value="[^"]+"/g, ''));
    }
    expect(pages[0]).toContain('Check your email');
    expect(pages[1]).toBe(pages[0]);
    expect(await outboxCount(user.email)).toBe(1);
    expect(await outboxCount('nobody@example.test')).toBe(0);
    expect(await outboxCount(deactivated.email)).toBe(0);
  });

  it('asks for a valid email address', async () => {
    const client = browser();
    await client.post('/password-reset', { email: 'not an email' });
    const page = await client.get('/password-reset');
    expect(page.body).toContain('Enter an email address in the correct format');
  });

  it('sets a new password, ends every session, lifts a lockout, and works once', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    const sessionToken = await createSession(t.db, user.id);
    const existing = browser().withSession(sessionToken);
    expect((await existing.get('/portal')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) await browser().post('/sign-in', { email: user.email, password: 'wrong' });

    await browser().post('/password-reset', { email: user.email });
    const link = await linkSentTo(user.email, 'password-reset');
    const client = browser();
    expect((await client.get(link)).body).toContain('Choose a new password');
    const res = await client.post(link, { password: 'my new long password' });
    expect(res.headers.location).toBe('/sign-in');
    expect((await client.get('/sign-in')).body).toContain('Your password has been changed');

    expect((await existing.get('/portal')).statusCode).toBe(303);
    const signIn = await browser().post('/sign-in', {
      email: user.email,
      password: 'my new long password',
    });
    expect(signIn.headers.location).toBe('/home');
    expect((await browser().post(link, { password: 'yet another password' })).statusCode).toBe(410);
  });

  it('expires reset links after PASSWORD_RESET_TTL_MINUTES', async () => {
    const user = await createUser(t.services, { role: 'investigator' });
    await browser().post('/password-reset', { email: user.email });
    const link = await linkSentTo(user.email, 'password-reset');
    clock.advance(61 * 60_000);
    const page = await browser().get(link);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link has expired');
  });
});

describe('the first administrator', () => {
  it('issues a set-up link only while no active administrator exists, and the link makes one', async () => {
    // A fresh database for this rule: other tests here create administrators.
    const fresh = await createTestApp({ clock, env: { BASE_URL: 'https://liaison.example.test' } });
    try {
      const first = await fresh.services.accounts.firstAdministratorLink();
      const second = await fresh.services.accounts.firstAdministratorLink();
      expect(first).toMatch(/^https:\/\/liaison\.example\.test\/set-up\/[\w-]+$/);
      expect(second).not.toBe(first);
      const firstPath = new URL(first ?? '').pathname;
      const secondPath = new URL(second ?? '').pathname;
      // Re-creating the link retires the earlier one.
      expect((await new TestClient(fresh.app, cookieNames(true)).get(firstPath)).statusCode).toBe(410);

      const client = new TestClient(fresh.app, cookieNames(true));
      expect((await client.get(secondPath)).body).toContain('Set up the first administrator');
      await client.post(secondPath, { email: 'boss@ombudsman.example', displayName: 'Ada Admin', password: 'short' });
      expect((await client.get(secondPath)).body).toContain('Password must be 12 characters or more');
      const res = await client.post(secondPath, {
        email: 'boss@ombudsman.example',
        displayName: 'Ada Admin',
        password: 'the first administrator password',
      });
      expect(res.headers.location).toBe('/sign-in/two-factor/set-up');
      expect((await client.get('/staff/users')).statusCode).toBe(303); // two-factor still to set up

      const admin = await fresh.services.accounts.findUserById(
        (
          await fresh.db.kysely
            .selectFrom('users')
            .select('id')
            .where('email', '=', 'boss@ombudsman.example')
            .executeTakeFirstOrThrow()
        ).id,
      );
      expect(admin?.roles).toEqual(['administrator']);
      expect(admin?.status).toBe('active');
      expect(admin?.display_name).toBe('Ada Admin');
      expect(await fresh.services.accounts.firstAdministratorLink()).toBeNull();
      expect((await new TestClient(fresh.app, cookieNames(true)).get(secondPath)).statusCode).toBe(410);
    } finally {
      await fresh.close();
    }
  });
});
