import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { dumpAllTables } from '../../../test/support/db.ts';
import { createAuthority, createUser } from '../../../test/support/factories.ts';
import { FixedClock } from '../../platform/clock.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Actor, Role } from '../accounts/domain.ts';
import type { OfficerDetails } from './domain.ts';

let t: TestApp;
const clock = new FixedClock(new Date('2026-05-06T09:00:00Z'));
let lead: Actor;

beforeAll(async () => {
  t = await createTestApp({ clock });
  const user = await createUser(t.services, { role: 'relationship-lead' });
  lead = { type: 'user', id: user.id, roles: ['relationship-lead'], authorityId: null };
});
afterAll(async () => {
  await t.close();
});

let n = 0;
function person(overrides: Partial<OfficerDetails> = {}): OfficerDetails {
  n++;
  return {
    title: 'Ms',
    forename: `Forename${n}x`,
    surname: `Surname${n}y`,
    jobTitle: 'Complaints manager',
    email: `officer${n}@council.example`,
    correspondenceEmail: null,
    phone: `+4420794609${String(10 + n).slice(-2)}`,
    ...overrides,
  };
}

const authorityActor = (
  authorityId: string,
  role: Role,
  type: 'user' | 'token' = 'user',
  id: string = crypto.randomUUID(),
): Actor => ({
  type,
  id,
  roles: [role],
  authorityId,
});

/** Which of the values appear in which tables: empty when none is stored anywhere. */
async function tracesOf(values: string[]): Promise<string[]> {
  const dump = await dumpAllTables(t.db);
  const found: string[] = [];
  for (const line of dump.split('\n')) {
    const table = line.slice(0, line.indexOf(':'));
    for (const v of values) if (line.toLowerCase().includes(v.toLowerCase())) found.push(`${v} in ${table}`);
  }
  return found;
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('at most two link officers', () => {
  it('adds two and refuses a third with a clear message', async () => {
    const authorityId = await createAuthority(t.db);
    await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    const error = await rejection(t.services.linkOfficers.addOfficer(lead, authorityId, person()));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('An authority can have no more than two link officers. Replace or remove one first.');
    const { officers } = await t.services.linkOfficers.officers(lead, authorityId);
    expect(officers.map((o) => o.slot)).toEqual([1, 2]);
  });

  it('lets only two of several simultaneous additions through', async () => {
    const authorityId = await createAuthority(t.db);
    const results = await Promise.allSettled(
      [person(), person(), person(), person()].map((p) => t.services.linkOfficers.addOfficer(lead, authorityId, p)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as DomainError).code)).toEqual(['conflict', 'conflict']);
    const rows = await t.db.kysely
      .selectFrom('link_officers')
      .select('slot')
      .where('authority_id', '=', authorityId)
      .execute();
    expect(rows).toHaveLength(2);
  });

  it('is enforced by the database itself, whatever the application does', async () => {
    const authorityId = await createAuthority(t.db);
    await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    const p = person();
    const insert = (slot: number) =>
      sql`INSERT INTO link_officers (authority_id, slot, title, forename, surname, job_title, email, phone)
          VALUES (${authorityId}, ${slot}, ${p.title}, ${p.forename}, ${p.surname}, ${p.jobTitle}, ${p.email}, ${p.phone})`.execute(
        t.db.kysely,
      );
    await expect(insert(1)).rejects.toThrow(/link_officers_authority_slot_key|duplicate key/);
    await expect(insert(3)).rejects.toThrow(/check constraint/);
  });

  it('refuses an unknown authority and another authority’s officer', async () => {
    expect((await rejection(t.services.linkOfficers.addOfficer(lead, crypto.randomUUID(), person()))).code).toBe(
      'not-found',
    );
    const mine = await createAuthority(t.db);
    const theirs = await createAuthority(t.db);
    const theirOfficer = await t.services.linkOfficers.addOfficer(lead, theirs, person());
    const error = await rejection(t.services.linkOfficers.replaceOfficer(lead, mine, theirOfficer, person()));
    expect(error.code).toBe('not-found');
    expect((await rejection(t.services.linkOfficers.removeOfficer(lead, mine, theirOfficer))).code).toBe('not-found');
    const { officers } = await t.services.linkOfficers.officers(lead, theirs);
    expect(officers.map((o) => o.id)).toEqual([theirOfficer]);
  });

  it('lets an authority see only its own link officers, and change none directly (it asks for a change)', async () => {
    const mine = await createAuthority(t.db);
    const theirs = await createAuthority(t.db);
    const portalUser = authorityActor(mine, 'link-officer');
    expect((await rejection(t.services.linkOfficers.officers(portalUser, theirs))).code).toBe('not-found');
    expect((await rejection(t.services.linkOfficers.addOfficer(portalUser, mine, person()))).code).toBe('forbidden');
    const token = authorityActor(mine, 'link-officer', 'token');
    expect((await rejection(t.services.linkOfficers.addOfficer(token, mine, person()))).code).toBe('forbidden');
    expect((await rejection(t.services.linkOfficers.addOfficer(token, theirs, person()))).code).toBe('not-found');
    await t.services.linkOfficers.addOfficer(lead, mine, person());
    const investigator: Actor = { type: 'user', id: crypto.randomUUID(), roles: ['investigator'], authorityId: null };
    expect((await t.services.linkOfficers.officers(investigator, mine)).officers).toHaveLength(1);
    expect((await rejection(t.services.linkOfficers.addOfficer(investigator, mine, person()))).code).toBe('forbidden');
  });
});

describe('where correspondence goes', () => {
  const setInbox = (authorityId: string, inbox: string | null) =>
    t.db.kysely.updateTable('authorities').set({ generic_inbox: inbox }).where('id', '=', authorityId).execute();
  const addChiefExecutive = (authorityId: string, email: string) =>
    sql`INSERT INTO senior_officers (authority_id, role, name, job_title, email)
        VALUES (${authorityId}, 'chief-executive', 'Chief Person', 'Chief executive', ${email})`.execute(t.db.kysely);

  it('goes to both link officers (by their correspondence address when set) and the generic inbox', async () => {
    const authorityId = await createAuthority(t.db);
    await setInbox(authorityId, 'ombudsman@council.example');
    await addChiefExecutive(authorityId, 'ce@council.example');
    const first = person();
    const second = person({ correspondenceEmail: 'complaints-team@council.example' });
    await t.services.linkOfficers.addOfficer(lead, authorityId, first);
    await t.services.linkOfficers.addOfficer(lead, authorityId, second);
    const recipients = await t.services.linkOfficers.correspondenceRecipients(authorityId, clock.now());
    expect(recipients.map((r) => r.email)).toEqual([
      first.email,
      'complaints-team@council.example',
      'ombudsman@council.example',
    ]);
  });

  it('goes to the generic inbox when there is no link officer, then to the chief executive', async () => {
    const authorityId = await createAuthority(t.db);
    await addChiefExecutive(authorityId, 'ce2@council.example');
    await setInbox(authorityId, 'inbox2@council.example');
    expect(await t.services.linkOfficers.correspondenceRecipients(authorityId, '2026-05-06')).toEqual([
      { email: 'inbox2@council.example', as: 'generic-inbox' },
    ]);
    await setInbox(authorityId, null);
    expect(await t.services.linkOfficers.correspondenceRecipients(authorityId, '2026-05-06')).toEqual([
      { email: 'ce2@council.example', as: 'chief-executive' },
    ]);
  });

  it('goes to whoever covers an absent link officer, during the absence only', async () => {
    const authorityId = await createAuthority(t.db);
    const away = person();
    const other = person();
    const awayId = await t.services.linkOfficers.addOfficer(lead, authorityId, away);
    const otherId = await t.services.linkOfficers.addOfficer(lead, authorityId, other);
    const linkOfficer = await createUser(t.services, { role: 'link-officer', authorityId });
    const actor = authorityActor(authorityId, 'link-officer', 'user', linkOfficer.id);
    const delegateId = await t.services.linkOfficers.inviteDelegate(actor, {
      name: 'Dee Legate',
      email: 'dee@council.example',
    });

    await t.services.linkOfficers.addCover(actor, {
      linkOfficerId: awayId,
      starts: '2026-05-10',
      ends: '2026-05-12',
      coveredBy: `delegate:${delegateId}`,
    });
    await t.services.linkOfficers.addCover(actor, {
      linkOfficerId: otherId,
      starts: '2026-05-20',
      ends: '2026-05-20',
      coveredBy: `officer:${awayId}`,
    });
    const on = async (day: string) =>
      (await t.services.linkOfficers.correspondenceRecipients(authorityId, day)).map((r) => `${r.as}:${r.email}`);
    expect(await on('2026-05-09')).toEqual([`link-officer:${away.email}`, `link-officer:${other.email}`]);
    expect(await on('2026-05-10')).toEqual(['cover:dee@council.example', `link-officer:${other.email}`]);
    expect(await on('2026-05-12')).toEqual(['cover:dee@council.example', `link-officer:${other.email}`]);
    expect(await on('2026-05-20')).toEqual([`link-officer:${away.email}`]);

    // The delegate was invited through the outbox with a link to set a password.
    const mail = await t.db.kysely
      .selectFrom('outbox_messages')
      .selectAll()
      .where('to_address', '=', 'dee@council.example')
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text_body).toMatch(/\/invitation\/[\w-]+/);
    const delegate = await t.services.accounts.findUserById(delegateId);
    expect(delegate).toMatchObject({ status: 'invited', authority_id: authorityId, roles: ['delegate'] });
  });

  it('refuses cover by someone outside the authority or by the absent officer', async () => {
    const authorityId = await createAuthority(t.db);
    const elsewhere = await createAuthority(t.db);
    const awayId = await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    const foreignId = await t.services.linkOfficers.addOfficer(lead, elsewhere, person());
    const actor = authorityActor(authorityId, 'link-officer');
    for (const coveredBy of [`officer:${awayId}`, `officer:${foreignId}`, `delegate:${crypto.randomUUID()}`]) {
      const error = await rejection(
        t.services.linkOfficers.addCover(actor, {
          linkOfficerId: awayId,
          starts: '2026-06-01',
          ends: '2026-06-02',
          coveredBy,
        }),
      );
      expect(error.fields[0]?.field).toBe('coveredBy');
    }
  });

  it('lists current link officers as newsletter subscribers, straight from their records', async () => {
    const authorityId = await createAuthority(t.db);
    const p = person();
    const id = await t.services.linkOfficers.addOfficer(lead, authorityId, p);
    const before = await t.services.linkOfficers.newsletterRecipients();
    expect(before.map((r) => r.email)).toContain(p.email);
    await t.services.linkOfficers.removeOfficer(lead, authorityId, id);
    const after = await t.services.linkOfficers.newsletterRecipients();
    expect(after.map((r) => r.email)).not.toContain(p.email);
  });
});

describe('no retention', () => {
  it('erases every trace of a replaced link officer, and they can no longer sign in', async () => {
    const authorityId = await createAuthority(t.db);
    const old = person({
      title: 'Mx',
      forename: 'Quillon',
      surname: 'Vantablack',
      email: 'quillon.vantablack@council.example',
      phone: '+447911654321',
    });
    // The officer has a portal account and a live session.
    const account = await createUser(t.services, {
      role: 'link-officer',
      authorityId,
      email: old.email,
      displayName: 'Quillon Vantablack',
    });
    const officerId = await t.services.linkOfficers.addOfficer(lead, authorityId, old);
    const row = await t.db.kysely
      .selectFrom('link_officers')
      .select('user_id')
      .where('id', '=', officerId)
      .executeTakeFirstOrThrow();
    expect(row.user_id).toBe(account.id);
    const signedIn = await t.services.accounts.signIn(old.email, account.password, '192.0.2.1');

    // Copies: an email to them and one mentioning them, a job payload naming them, cover they gave.
    await t.services.mail.enqueue(t.db.kysely, {
      kind: 'test',
      to: old.email,
      subject: 'Enquiry for Mx Quillon Vantablack',
      text: 'Dear Quillon, please call us. Your number on file is 07911 654321.',
      idempotencyKey: 'erasure-test-1',
      headers: { 'x-for': 'Quillon Vantablack' },
    });
    await t.services.mail.enqueue(t.db.kysely, {
      kind: 'test',
      to: 'someone.else@council.example',
      subject: 'Copy',
      text: 'Your colleague quillon.vantablack@council.example asked us to write.',
      idempotencyKey: 'erasure-test-2',
    });
    await sql`SELECT pgboss.create_queue('letters', '{"policy":"standard"}'::json)`.execute(t.db.kysely);
    await sql`INSERT INTO pgboss.job (name, data) VALUES ('letters', ${JSON.stringify({
      to: old.email,
      name: 'Quillon Vantablack',
      phone: old.phone,
    })}::jsonb)`.execute(t.db.kysely);
    const otherId = await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    await t.services.linkOfficers.addCover(authorityActor(authorityId, 'link-officer'), {
      linkOfficerId: otherId,
      starts: '2026-07-01',
      ends: '2026-07-02',
      coveredBy: `officer:${officerId}`,
    });

    const successor = person();
    const newId = await t.services.linkOfficers.replaceOfficer(lead, authorityId, officerId, successor);

    expect(await tracesOf(['Quillon', 'Vantablack', 'quillon.vantablack', '7911654321', '07911 654321'])).toEqual([]);
    expect(await t.db.kysely.selectFrom('users').select('id').where('id', '=', account.id).execute()).toEqual([]);
    // Except in the audit log, by id: which records changed, never who they were.
    const audit = await t.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'record_id'])
      .where('authority_id', '=', authorityId)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['link-officer.replaced', 'link-officer.erased', 'user.erased']),
    );

    // The successor holds the same place; the other officer and their message are untouched.
    const { officers } = await t.services.linkOfficers.officers(lead, authorityId);
    expect(officers.map((o) => [o.id, o.slot])).toEqual([
      [newId, 1],
      [otherId, 2],
    ]);
    const untouched = await t.db.kysely
      .selectFrom('outbox_messages')
      .select('to_address')
      .where('idempotency_key', '=', 'erasure-test-2')
      .executeTakeFirstOrThrow();
    expect(untouched.to_address).toBe('someone.else@council.example');

    // Their session ended and their password no longer works.
    expect(await t.services.accounts.resolveSession(signedIn.token)).toBeNull();
    expect((await rejection(t.services.accounts.signIn(old.email, account.password, '192.0.2.1'))).code).toBe(
      'validation',
    );
  });

  it('erases a removed link officer too', async () => {
    const authorityId = await createAuthority(t.db);
    const old = person({ forename: 'Ottoline', surname: 'Marchbanks', email: 'ottoline@council.example' });
    const id = await t.services.linkOfficers.addOfficer(lead, authorityId, old);
    await t.services.linkOfficers.removeOfficer(lead, authorityId, id);
    expect(await tracesOf(['Ottoline', 'Marchbanks'])).toEqual([]);
  });

  it('finds a name in the outbox’s HTML however the markup escaped it', async () => {
    const authorityId = await createAuthority(t.db);
    const old = person({ forename: 'Ríona', surname: "O'Threlkeld", email: 'riona@council.example' });
    const id = await t.services.linkOfficers.addOfficer(lead, authorityId, old);
    await t.services.mail.enqueue(t.db.kysely, {
      kind: 'test',
      to: 'colleague@council.example',
      subject: 'Copy',
      text: "Ríona O'Threlkeld asked us to write.",
      html: '<p>R&iacute;ona O&#39;Threlkeld asked us to write (riona&#64;council.example).</p>',
      idempotencyKey: 'erasure-test-html',
    });
    await t.services.linkOfficers.removeOfficer(lead, authorityId, id);
    const html = await t.db.kysely
      .selectFrom('outbox_messages')
      .select('html_body')
      .where('idempotency_key', '=', 'erasure-test-html')
      .executeTakeFirstOrThrow();
    expect(html.html_body).not.toMatch(/Threlkeld|R&iacute;ona|riona&#64;/i);
    expect(html.html_body).toContain('asked us to write');
  });
});

describe('change of link officer requests', () => {
  const outboxTo = (to: string) =>
    t.db.kysely.selectFrom('outbox_messages').selectAll().where('to_address', '=', to).orderBy('created_at').execute();
  const tokenFrom = (text: string) => /\/link-officer-change\/confirm\/([\w-]+)/.exec(text)?.[1] ?? '';

  it('asks a current link officer to confirm a request from outside, then staff approve it and the old officer is erased', async () => {
    const authorityId = await createAuthority(t.db);
    const current = person({ forename: 'Hesper', surname: 'Quintrell', email: 'hesper@council.example' });
    await t.services.linkOfficers.addOfficer(lead, authorityId, current);
    const incoming = person();

    const notice = await t.services.linkOfficers.requestChange(null, {
      authorityId,
      change: 'replace',
      replacesEmail: 'HESPER@council.example',
      details: incoming,
      requesterName: 'Pat Requester',
      requesterEmail: 'pat@council.example',
    });
    expect(notice).toMatch(/emailed the authority’s link officer/);
    expect(await t.services.linkOfficers.pendingChanges(lead)).toHaveLength(0);

    const [confirmation] = await outboxTo('hesper@council.example');
    expect(confirmation?.subject).toContain('Confirm a change of link officer');
    const token = tokenFrom(confirmation?.text_body ?? '');
    await t.services.linkOfficers.confirmChange(token);
    await expect(t.services.linkOfficers.confirmChange(token)).rejects.toThrow(/already been used/);

    const queue = await t.services.linkOfficers.pendingChanges(lead);
    expect(queue).toHaveLength(1);
    await t.services.linkOfficers.approveChange(lead, queue[0]?.id ?? '');

    const { officers } = await t.services.linkOfficers.officers(lead, authorityId);
    expect(officers.map((o) => o.email)).toEqual([incoming.email]);
    expect(await tracesOf(['Hesper', 'Quintrell'])).toEqual([]);
    // The request itself is gone once applied; the requester is told.
    expect(
      await t.db.kysely
        .selectFrom('link_officer_change_requests')
        .selectAll()
        .where('authority_id', '=', authorityId)
        .execute(),
    ).toEqual([]);
    expect((await outboxTo('pat@council.example')).map((m) => m.kind)).toEqual(['link-officer-change-approved']);
  });

  it('sends a request from the authority’s signed-in link officer straight to staff', async () => {
    const authorityId = await createAuthority(t.db);
    await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    const user = await createUser(t.services, { role: 'link-officer', authorityId });
    await t.services.linkOfficers.requestChange(authorityActor(authorityId, 'link-officer', 'user', user.id), {
      authorityId,
      change: 'add',
      details: person(),
      requesterName: 'Lin Officer',
      requesterEmail: user.email,
    });
    const queue = await t.services.linkOfficers.pendingChanges(lead);
    const mine = queue.filter((q) => q.requesterName === 'Lin Officer');
    expect(mine).toHaveLength(1);
    const detail = await t.services.linkOfficers.changeRequest(lead, mine[0]?.id ?? '');
    expect(detail.confirmation).toMatch(/signed in/);
  });

  it('asks the chief executive to confirm when there is no link officer', async () => {
    const authorityId = await createAuthority(t.db);
    await sql`INSERT INTO senior_officers (authority_id, role, name, job_title, email)
              VALUES (${authorityId}, 'chief-executive', 'C E', 'Chief executive', 'chief@council.example')`.execute(
      t.db.kysely,
    );
    await t.services.linkOfficers.requestChange(null, {
      authorityId,
      change: 'add',
      details: person(),
      requesterName: 'Someone',
      requesterEmail: 'someone@council.example',
    });
    expect((await outboxTo('chief@council.example')).map((m) => m.kind)).toEqual(['link-officer-change-confirmation']);
  });

  it('tells the requester the reason when staff reject, and keeps nothing', async () => {
    const authorityId = await createAuthority(t.db);
    const senior = await createUser(t.services, { role: 'senior-officer', authorityId });
    await t.services.linkOfficers.requestChange(authorityActor(authorityId, 'senior-officer', 'user', senior.id), {
      authorityId,
      change: 'add',
      details: person({ forename: 'Rejectus' }),
      requesterName: 'Sen Ior',
      requesterEmail: 'senior@council.example',
    });
    const [request] = (await t.services.linkOfficers.pendingChanges(lead)).filter((q) => q.requesterName === 'Sen Ior');
    await t.services.linkOfficers.rejectChange(lead, request?.id ?? '', 'We could not verify the new officer.');
    const [mail] = await outboxTo('senior@council.example');
    expect(mail?.kind).toBe('link-officer-change-rejected');
    expect(mail?.text_body).toContain('We could not verify the new officer.');
    expect(await tracesOf(['Rejectus'])).toEqual([]);
  });

  it('refuses to add a third by request, and to replace someone who is not a link officer', async () => {
    const authorityId = await createAuthority(t.db);
    await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    await t.services.linkOfficers.addOfficer(lead, authorityId, person());
    const base = { authorityId, details: person(), requesterName: 'X', requesterEmail: 'x@council.example' };
    expect(
      (await rejection(t.services.linkOfficers.requestChange(null, { ...base, change: 'add' }))).fields[0]?.field,
    ).toBe('change');
    const error = await rejection(
      t.services.linkOfficers.requestChange(null, {
        ...base,
        change: 'replace',
        replacesEmail: 'nobody@council.example',
      }),
    );
    expect(error.fields[0]?.field).toBe('replacesEmail');
  });
});
