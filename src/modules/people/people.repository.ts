import { sql } from 'kysely';
import { writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { ComplaintStatus } from '../../platform/db/schema.ts';
import type {} from './people.tables.ts';
import type { PartyRole } from './domain.ts';

/** A party of a complaint as the people module shows it, with its case and its person. */
export interface PersonParty {
  partyId: string;
  personId: string;
  role: PartyRole;
  name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  complaintId: string;
  reference: string;
  status: ComplaintStatus;
  authorityName: string;
  receivedAt: Date;
  linkedByName: string | null;
  linkedAt: Date;
}

const phoneDigits = (column: string) => sql<string>`right(regexp_replace(${sql.ref(column)}, '[^0-9]', '', 'g'), 10)`;

/** Every statement of the people module: the links from complaints' parties to people. */
export class PeopleRepository {
  constructor(readonly db: DbOrTx) {}

  transaction<T>(work: (repo: PeopleRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new PeopleRepository(trx)));
  }

  audit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  private parties() {
    return this.db
      .selectFrom('person_parties as pp')
      .innerJoin('complaint_parties as p', 'p.id', 'pp.party_id')
      .innerJoin('complaints as c', 'c.id', 'p.complaint_id')
      .innerJoin('authorities as a', 'a.id', 'c.authority_id')
      .leftJoin('users as u', 'u.id', 'pp.linked_by')
      .select([
        'pp.party_id as partyId',
        'pp.person_id as personId',
        'p.role',
        'p.name',
        'p.email',
        'p.phone',
        'p.address',
        'c.id as complaintId',
        'c.reference',
        'c.status',
        'a.name as authorityName',
        'c.received_at as receivedAt',
        'u.display_name as linkedByName',
        'pp.linked_at as linkedAt',
      ]);
  }

  async personExists(personId: string): Promise<boolean> {
    return (
      (await this.db.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst()) !== undefined
    );
  }

  /** A person's parties, newest case first. */
  partiesOf(personId: string): Promise<PersonParty[]> {
    return this.parties().where('pp.person_id', '=', personId).orderBy('c.received_at', 'desc').execute();
  }

  party(partyId: string): Promise<PersonParty | undefined> {
    return this.parties().where('pp.party_id', '=', partyId).executeTakeFirst();
  }

  partiesOfCase(complaintId: string): Promise<PersonParty[]> {
    return this.parties().where('p.complaint_id', '=', complaintId).orderBy('p.role').execute();
  }

  /** The people of these parties, by party id. */
  async personIds(partyIds: readonly string[]): Promise<Map<string, string>> {
    if (partyIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('person_parties')
      .select(['party_id', 'person_id'])
      .where('party_id', 'in', [...partyIds])
      .execute();
    return new Map(rows.map((r) => [r.party_id, r.person_id]));
  }

  /** The people who are parties of these cases, with the case. */
  async peopleOfCases(complaintIds: readonly string[]): Promise<{ complaintId: string; personId: string }[]> {
    if (complaintIds.length === 0) return [];
    return this.db
      .selectFrom('complaint_parties as p')
      .innerJoin('person_parties as pp', 'pp.party_id', 'p.id')
      .select(['p.complaint_id as complaintId', 'pp.person_id as personId'])
      .where('p.complaint_id', 'in', [...complaintIds])
      .execute();
  }

  /** The people one of whose parties has this email address (lower case). */
  async peopleByEmail(email: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('complaint_parties as p')
      .innerJoin('person_parties as pp', 'pp.party_id', 'p.id')
      .select('pp.person_id')
      .distinct()
      .where(sql<string>`lower(p.email)`, '=', email)
      .where('p.email', 'is not', null)
      .execute();
    return rows.map((r) => r.person_id);
  }

  /** Parties of other people with the same email address or phone number as one of these people's parties. */
  sameContact(personIds: readonly string[]): Promise<PersonParty[]> {
    if (personIds.length === 0) return Promise.resolve([]);
    const mine = this.db
      .selectFrom('person_parties as mp')
      .innerJoin('complaint_parties as m', 'm.id', 'mp.party_id')
      .where('mp.person_id', 'in', [...personIds]);
    return this.parties()
      .where('pp.person_id', 'not in', [...personIds])
      .where((eb) =>
        eb.or([
          eb(sql<string>`lower(p.email)`, 'in', mine.select(sql<string>`lower(m.email)`.as('e'))),
          eb(
            phoneDigits('p.phone'),
            'in',
            mine
              .select(phoneDigits('m.phone').as('d'))
              .where(sql<number>`length(regexp_replace(m.phone, '[^0-9]', '', 'g'))`, '>=', 10),
          ),
        ]),
      )
      .orderBy('c.received_at', 'desc')
      .limit(50)
      .execute();
  }

  async lockPerson(personId: string): Promise<boolean> {
    return (
      (await this.db.selectFrom('people').select('id').where('id', '=', personId).forUpdate().executeTakeFirst()) !==
      undefined
    );
  }

  async newPerson(now: Date): Promise<string> {
    return (await this.db.insertInto('people').values({ created_at: now }).returning('id').executeTakeFirstOrThrow())
      .id;
  }

  async moveParty(partyId: string, personId: string, by: string | null, now: Date): Promise<void> {
    await this.db
      .updateTable('person_parties')
      .set({ person_id: personId, linked_by: by, linked_at: now })
      .where('party_id', '=', partyId)
      .execute();
  }

  async partyCount(personId: string): Promise<number> {
    const row = await this.db
      .selectFrom('person_parties')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /**
   * Pairs of people, one of `personIds` and one of `others`, whose parties share an email address
   * or a phone number: who may be the same person but are not linked.
   */
  async samePairs(
    personIds: readonly string[],
    others: readonly string[],
  ): Promise<{ personId: string; otherId: string }[]> {
    if (personIds.length === 0 || others.length === 0) return [];
    return this.db
      .selectFrom('person_parties as op')
      .innerJoin('complaint_parties as o', 'o.id', 'op.party_id')
      .innerJoin('complaint_parties as m', (join) =>
        join.on((eb) =>
          eb.or([
            eb(sql<string>`lower(m.email)`, '=', sql<string>`lower(o.email)`),
            eb.and([
              eb(phoneDigits('m.phone'), '=', phoneDigits('o.phone')),
              eb(sql<number>`length(regexp_replace(o.phone, '[^0-9]', '', 'g'))`, '>=', 10),
            ]),
          ]),
        ),
      )
      .innerJoin('person_parties as mp', 'mp.party_id', 'm.id')
      .select(['mp.person_id as personId', 'op.person_id as otherId'])
      .distinct()
      .where('op.person_id', 'in', [...others])
      .where('mp.person_id', 'in', [...personIds])
      .whereRef('mp.person_id', '<>', 'op.person_id')
      .execute();
  }
}
