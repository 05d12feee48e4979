import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import './local-complaints.tables.ts';

/**
 * Figures and settings: the authority's oversight counts, the staff's aggregates, the authority's
 * settings (column mapping, self-assessment, retention) and the retention sweep.
 */
export class LocalComplaintOversightRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx) {
    return new LocalComplaintOversightRepository(db);
  }

  /** The dashboard's counts for one authority and a period of receipt, by stage and service area. */
  async oversight(authorityId: string, from: string, to: string) {
    return this.db
      .selectFrom('local_complaints as l')
      .innerJoin('local_complaint_stages as s', 's.local_complaint_id', 'l.id')
      .leftJoin('complaints as c', 'c.id', 'l.complaint_id')
      .select((eb) => [
        's.stage',
        'l.service_area',
        eb.fn.countAll<number>().as('total'),
        sql<number>`count(*) filter (where s.acknowledged_on <= s.acknowledge_by)::int`.as('acknowledged_on_time'),
        sql<number>`count(*) filter (where s.acknowledged_on is not null)::int`.as('acknowledged'),
        sql<number>`count(*) filter (where s.responded_on <= s.respond_by)::int`.as('answered_on_time'),
        sql<number>`count(*) filter (where s.responded_on is not null)::int`.as('answered'),
        sql<number>`count(*) filter (where s.extension_working_days is not null)::int`.as('extended'),
        sql<number>`count(*) filter (where s.stage = 1 and l.stage > 1)::int`.as('escalated'),
        sql<number>`count(*) filter (where s.stage = l.stage and l.complaint_id is not null)::int`.as('to_ombudsman'),
        sql<number>`count(*) filter (where s.stage = l.stage and c.outcome in ('upheld-injustice', 'upheld-no-injustice'))::int`.as(
          'ombudsman_upheld',
        ),
        sql<number>`count(*) filter (where s.stage = l.stage and c.outcome = 'not-upheld')::int`.as(
          'ombudsman_not_upheld',
        ),
      ])
      .where('l.authority_id', '=', authorityId)
      .where('l.received_on', '>=', from)
      .where('l.received_on', '<=', to)
      .groupBy(['s.stage', 'l.service_area'])
      .orderBy('s.stage')
      .orderBy('l.service_area')
      .execute();
  }

  /** Staff see aggregates only: counts and timeliness across an authority's records. */
  async aggregate(authorityId: string) {
    return this.db
      .selectFrom('local_complaints as l')
      .innerJoin('local_complaint_stages as s', 's.local_complaint_id', 'l.id')
      .select((eb) => [
        's.stage',
        eb.fn.countAll<number>().as('total'),
        sql<number>`count(*) filter (where s.acknowledged_on <= s.acknowledge_by)::int`.as('acknowledged_on_time'),
        sql<number>`count(*) filter (where s.responded_on <= s.respond_by)::int`.as('answered_on_time'),
      ])
      .where('l.authority_id', '=', authorityId)
      .groupBy('s.stage')
      .orderBy('s.stage')
      .execute();
  }

  async settings(authorityId: string) {
    return this.db
      .selectFrom('local_complaint_settings')
      .select(['column_mapping', 'retention_years', 'self_assessment'])
      .where('authority_id', '=', authorityId)
      .executeTakeFirst();
  }

  async saveSettings(
    authorityId: string,
    values: { column_mapping?: Record<string, string>; self_assessment?: Record<string, string> },
    now: Date,
  ): Promise<void> {
    const set: { column_mapping?: string; self_assessment?: string; updated_at: Date } = { updated_at: now };
    if (values.column_mapping) set.column_mapping = JSON.stringify(values.column_mapping);
    if (values.self_assessment) set.self_assessment = JSON.stringify(values.self_assessment);
    await this.db
      .insertInto('local_complaint_settings')
      .values({ authority_id: authorityId, ...set })
      .onConflict((oc) => oc.column('authority_id').doUpdateSet(set))
      .execute();
  }

  /** Deletes closed records past their authority's retention (default years when it has no setting). */
  async deleteExpired(today: string, defaultYears: number): Promise<number> {
    const r = await this.db
      .deleteFrom('local_complaints as l')
      .where('l.closed_on', 'is not', null)
      .where(
        sql<boolean>`l.closed_on + make_interval(years => coalesce((select s.retention_years from local_complaint_settings s where s.authority_id = l.authority_id), ${defaultYears})) < ${today}::date`,
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
