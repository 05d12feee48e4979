import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { dumpAllTables } from '../support/db.ts';
import { createAuthority, signedInAs } from '../support/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function administrator(): Promise<{ client: TestClient; userId: string }> {
  const { user, token } = await signedInAs(t.db, t.services, 'administrator');
  return { client: new TestClient(t.app).withSession(token), userId: user.id };
}

const shownToken = (html: string) => /value="(liaison_[\w-]+)"/.exec(html)?.[1];

describe('API tokens pages', () => {
  it('creates a staff token, shows it once, stores only its hash, and audits it', async () => {
    const { client, userId } = await administrator();
    const form = await client.get('/staff/tokens/new');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Create an API token');

    const created = await client.post('/staff/tokens', { name: 'Case export', role: 'investigator', authority: '' });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/staff/tokens');
    const list = await client.get('/staff/tokens');
    expect(list.body).toContain('API token ‘Case export’ created');
    const token = shownToken(list.body);
    expect(token).toBeDefined();

    const again = await client.get('/staff/tokens');
    expect(again.body).toContain('Case export');
    expect(shownToken(again.body)).toBeUndefined();

    expect(await dumpAllTables(t.db)).not.toContain(token);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({ roles: ['investigator'], authorityId: null });

    const row = await t.db.kysely
      .selectFrom('api_tokens')
      .select(['id', 'created_by'])
      .where('name', '=', 'Case export')
      .executeTakeFirstOrThrow();
    expect(row.created_by).toBe(userId);
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'api-token.created')
      .where('record_id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_type: 'user', actor_id: userId, actor_role: 'administrator' });
  });

  it('scopes an authority token to exactly one authority', async () => {
    const { client } = await administrator();
    const authorityId = await createAuthority(t.db, { name: 'Northshire County Council' });
    expect((await client.get('/staff/tokens/new')).body).not.toContain('Northshire County Council');
    const form = await client.get('/staff/tokens/new?q=northsh');
    expect(form.body).toContain('Northshire County Council');

    await client.post('/staff/tokens', { name: 'Northshire portal', role: 'link-officer', authority: authorityId });
    const token = shownToken((await client.get('/staff/tokens')).body);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({ roles: ['link-officer'], authorityId });
  });

  it('explains each mistake and keeps what was typed', async () => {
    const { client } = await administrator();
    const authorityId = await createAuthority(t.db);
    const cases: [Record<string, string>, string, string][] = [
      [{ name: '', role: 'investigator', authority: '' }, 'Enter a name for the token', '#name'],
      [{ name: 'No role', authority: '' }, 'Select the role the token acts in', '#role'],
      [
        { name: 'Council without one', role: 'delegate', authority: '' },
        'Select the authority for a Delegate token',
        '#authority',
      ],
      [{ name: 'Staff with one', role: 'investigator', authority: authorityId }, 'Select ‘No authority’', '#authority'],
      [
        { name: 'Unknown authority', role: 'delegate', authority: '00000000-0000-4000-8000-000000000000' },
        'Select an authority from the list',
        '#authority',
      ],
    ];
    for (const [form, message, anchor] of cases) {
      const res = await client.post('/staff/tokens', form);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/staff/tokens/new');
      const page = await client.get('/staff/tokens/new');
      expect(page.body).toContain('There is a problem');
      expect(page.body).toContain(message);
      expect(page.body).toContain(`href="${anchor}"`);
      if (form.name) expect(page.body).toContain(`value="${form.name}"`);
    }
    const made = await t.db.kysely.selectFrom('api_tokens').select('name').execute();
    expect(made.map((r) => r.name)).not.toContain('Staff with one');
  });

  it('revokes a token: the API refuses it, the list says so, and the audit log records it', async () => {
    const { client, userId } = await administrator();
    await client.post('/staff/tokens', { name: 'Short lived', role: 'administrator', authority: '' });
    const token = shownToken((await client.get('/staff/tokens')).body);
    const row = await t.db.kysely
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', 'Short lived')
      .executeTakeFirstOrThrow();

    const revoked = await client.post(`/staff/tokens/${row.id}/revoke`, {});
    expect(revoked.statusCode).toBe(303);
    const list = await client.get('/staff/tokens');
    expect(list.body).toContain('API token ‘Short lived’ revoked');
    expect(list.body).toContain('Revoked');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(401);
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select(['actor_id'])
      .where('action', '=', 'api-token.revoked')
      .where('record_id', '=', row.id)
      .execute();
    expect(audit).toEqual([{ actor_id: userId }]);

    expect((await client.post('/staff/tokens/not-a-token/revoke', {})).statusCode).toBe(404);
  });

  it('is for administrators only', async () => {
    const { token } = await signedInAs(t.db, t.services, 'casework-manager');
    const client = new TestClient(t.app).withSession(token);
    expect((await client.get('/staff/tokens')).statusCode).toBe(403);
    expect((await client.post('/staff/tokens', { name: 'x', role: 'administrator', authority: '' })).statusCode).toBe(
      403,
    );
    const made = await t.db.kysely.selectFrom('api_tokens').select('name').where('name', '=', 'x').execute();
    expect(made).toEqual([]);
  });
});
