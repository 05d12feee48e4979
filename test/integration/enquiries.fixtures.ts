import crypto from 'node:crypto';
import type { Services } from '../../src/composition.ts';
import type { Actor, Role } from '../../src/modules/accounts/domain.ts';
import { hashSecret, newSecret } from '../../src/modules/accounts/passwords.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { createAuthority, createUser } from '../support/factories.ts';

/** Real rows for enquiry tests: an authority with a chief executive, two link officers and a generic inbox, and a complaint. */

let seq = 0;
const slug = () => `${Date.now().toString(36)}${(seq++).toString(36)}${crypto.randomBytes(2).toString('hex')}`;

export interface EnquiryAuthority {
  id: string;
  name: string;
  officerEmails: string[];
  genericInbox: string;
  chiefExecutiveEmail: string;
}

export async function createEnquiryAuthority(db: Db, name?: string): Promise<EnquiryAuthority> {
  const s = slug();
  const authorityName = name ?? `Enquiry Borough Council ${s}`;
  const id = await createAuthority(db, { name: authorityName });
  const genericInbox = `ombudsman-${s}@council.example`;
  const chiefExecutiveEmail = `chief.executive-${s}@council.example`;
  await db.kysely.updateTable('authorities').set({ generic_inbox: genericInbox }).where('id', '=', id).execute();
  await db.kysely
    .insertInto('senior_officers')
    .values({
      authority_id: id,
      role: 'chief-executive',
      service_area: null,
      title: 'Dr',
      name: 'Morwenna Trelawney',
      job_title: 'Chief Executive',
      email: chiefExecutiveEmail,
      created_at: new Date(),
      updated_at: new Date(),
    })
    .execute();
  const officerEmails = [`lo1-${s}@council.example`, `lo2-${s}@council.example`];
  for (const [i, email] of officerEmails.entries()) {
    await db.kysely
      .insertInto('link_officers')
      .values({
        authority_id: id,
        slot: (i + 1) as 1 | 2,
        title: 'Ms',
        forename: i === 0 ? 'Ffion' : 'Gwen',
        surname: `Officer${s}`,
        job_title: 'Complaints manager',
        email,
        correspondence_email: null,
        phone: '+442079460000',
        user_id: null,
      })
      .execute();
  }
  return { id, name: authorityName, officerEmails, genericInbox, chiefExecutiveEmail };
}

let refSeq = 100;
export async function createComplaint(
  db: Db,
  authorityId: string,
  status: 'assessment' | 'investigation' | 'closed' = 'investigation',
): Promise<{ id: string; reference: string }> {
  refSeq++;
  const reference = `26 ${String(refSeq).padStart(3, '0')} ${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  const row = await db.kysely
    .insertInto('complaints')
    .values({
      reference,
      authority_id: authorityId,
      service_area: 'housing',
      status,
      channel: 'online',
      summary: 'The council left a family in temporary accommodation with damp for eleven months.',
      authority_process_finished: true,
      received_at: new Date('2026-10-01T09:00:00Z'),
      outcome: status === 'closed' ? 'withdrawn' : null,
      closed_at: status === 'closed' ? new Date('2026-11-01T09:00:00Z') : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, reference };
}

/** A signed-in session valid at the clock's time (cookie value). */
export async function sessionAt(db: Db, userId: string, now: Date): Promise<string> {
  const token = newSecret();
  await db.kysely
    .insertInto('sessions')
    .values({
      token_hash: hashSecret(token),
      user_id: userId,
      stage: 'active',
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + 8 * 3_600_000),
    })
    .execute();
  return token;
}

/** An actor for a new user of the role (and authority). */
export async function actorFor(services: Services, role: Role, authorityId: string | null = null): Promise<Actor> {
  const user = await createUser(services, { role, authorityId });
  return { type: 'user', id: user.id, roles: [role], authorityId: user.authorityId };
}

/** Sends what correspondence has waiting, as the worker's dispatch would: each item's recipients resolved and its outbox messages written. */
export async function dispatchCorrespondence(services: Services): Promise<void> {
  for (;;) if ((await services.correspondence.dispatchPending(500)) === 0) return;
}

/** A case's correspondence as its page shows it to staff, after dispatch. */
export async function caseCorrespondence(services: Services, complaintId: string) {
  await dispatchCorrespondence(services);
  const staff: Actor = { type: 'user', id: crypto.randomUUID(), roles: ['investigator'], authorityId: null };
  return (await services.correspondence.caseCorrespondence(staff, complaintId)).items;
}

/** Where the case's items whose subject starts so went, one address per delivery, sorted. */
export async function sentTo(services: Services, complaintId: string, subjectStart: string): Promise<string[]> {
  const items = await caseCorrespondence(services, complaintId);
  return items
    .filter((i) => i.subject.startsWith(subjectStart))
    .flatMap((i) => i.deliveries.map((d) => d.address))
    .sort();
}
