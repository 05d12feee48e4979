import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { planEachRun } from '../../platform/db/prepared.ts';
import './local-complaints.tables.ts';

/** The ombudsman's intake: local records that may be a case's complaint, and the link between them. */
export class LocalComplaintIntakeRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx) {
    return new LocalComplaintIntakeRepository(db);
  }

  /**
   * Records of the authority that may be the complaint's: the same email address or telephone
   * number, the same name in the same service area, or the reference the complainant gave.
   */
  async candidates(
    authorityId: string,
    m: {
      email: string | null;
      phone: string | null;
      name: string | null;
      serviceArea: string;
      reference: string | null;
    },
  ) {
    return this.db
      .selectFrom('local_complaints as l')
      .select([
        'l.id',
        'l.reference',
        'l.received_on',
        'l.service_area',
        'l.stage',
        'l.closed_on',
        'l.complaint_id',
        sql<boolean>`${m.email ? sql`l.email_key = ${m.email.toLowerCase()}` : sql`false`}`.as('by_email'),
        sql<boolean>`${m.phone ? sql`l.phone_key = ${m.phone}` : sql`false`}`.as('by_phone'),
        sql<boolean>`${m.name ? sql`l.name_key = ${m.name.toLowerCase()} and l.service_area = ${m.serviceArea}` : sql`false`}`.as(
          'by_name',
        ),
        sql<boolean>`${m.reference ? sql`l.reference = ${m.reference}` : sql`false`}`.as('by_reference'),
      ])
      .where('l.authority_id', '=', authorityId)
      .where((eb) => {
        const ors = [];
        if (m.email) ors.push(eb('l.email_key', '=', m.email.toLowerCase()));
        if (m.phone) ors.push(eb('l.phone_key', '=', m.phone));
        if (m.name)
          ors.push(eb.and([eb('l.name_key', '=', m.name.toLowerCase()), eb('l.service_area', '=', m.serviceArea)]));
        if (m.reference) ors.push(eb('l.reference', '=', m.reference));
        return ors.length > 0 ? eb.or(ors) : eb.val(false);
      })
      .orderBy('l.received_on', 'desc')
      .limit(10)
      .modifyEnd(planEachRun)
      .execute();
  }

  async link(id: string, complaintId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('local_complaints')
      .set({ complaint_id: complaintId, updated_at: now })
      .where('id', '=', id)
      .execute();
  }
}
