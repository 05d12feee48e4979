import { sql } from 'kysely';
import { writeAudit, type AuditEvent } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Outbox, OutgoingMail } from '../../platform/mail/outbox.ts';
import { UPHELD } from './domain.ts';
import './letters.tables.ts';

export interface RunRow {
  id: string;
  year: number;
  kind: 'generate' | 'send';
  authority_ids: string[] | null;
  total: number;
  done: number;
  resend: boolean;
  skipped: { authorityId: string; name: string; reason: string }[];
  created_at: Date;
  finished_at: Date | null;
}

export interface LetterRow {
  id: string;
  year: number;
  authority_id: string;
  authority_name: string;
  body: string;
  generated_at: Date;
  edited_at: Date | null;
  sends: number;
  sent_at: Date | null;
  last_send_run_id: string | null;
}

export interface Recipient {
  role: 'chief-executive' | 'link-officer' | 'monitoring-officer' | 'leader' | 'scrutiny-chair';
  name: string;
  email: string;
}

/** The annual review letters' statements. */
/** What a letters run's row is read as. */
const RUN_COLUMNS = [
  'id',
  'year',
  'kind',
  'authority_ids',
  'total',
  'done',
  'resend',
  'skipped',
  'created_at',
  'finished_at',
] as const;

export class LettersRepository {
  constructor(
    private readonly db: DbOrTx,
    private readonly mail: Outbox,
  ) {}

  transaction<T>(work: (repo: LettersRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new LettersRepository(trx, this.mail)));
  }

  /** The connection or transaction, for a job enqueued with the change that causes it. */
  handle(): DbOrTx {
    return this.db;
  }

  audit(event: AuditEvent): Promise<void> {
    return writeAudit(this.db, event);
  }

  enqueueMail(mail: OutgoingMail): Promise<string | null> {
    return this.mail.enqueue(this.db, mail);
  }

  async template(year: number): Promise<string | null> {
    const row = await this.db
      .selectFrom('annual_review_templates')
      .select('body')
      .where('year', '=', year)
      .executeTakeFirst();
    return row?.body ?? null;
  }

  async saveTemplate(year: number, body: string, by: string | null, at: Date): Promise<void> {
    await this.db
      .insertInto('annual_review_templates')
      .values({ year, body, updated_by: by, updated_at: at })
      .onConflict((oc) => oc.column('year').doUpdateSet({ body, updated_by: by, updated_at: at }))
      .execute();
  }

  /** The authorities with figures in the year (or those chosen of them), in id order. */
  async authoritiesForLetters(year: number, ids: readonly string[] | null, offset: number, limit: number) {
    let query = this.db
      .selectFrom('authority_statistics as s')
      .innerJoin('authorities as a', 'a.id', 's.authority_id')
      .leftJoin('authority_slugs as g', 'g.authority_id', 'a.id')
      .select(['a.id', 'a.name', 'a.kind', 'g.slug'])
      .where('s.year', '=', year);
    if (ids !== null) query = query.where('a.id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
    return query.orderBy('a.id').offset(offset).limit(limit).execute();
  }

  async countAuthoritiesForLetters(year: number, ids: readonly string[] | null): Promise<number> {
    let query = this.db
      .selectFrom('authority_statistics')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('year', '=', year);
    if (ids !== null)
      query = query.where('authority_id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
    return (await query.executeTakeFirst())?.n ?? 0;
  }

  /** The chief executive's name, or null when the directory has none. */
  /** The chief executive's name (with title) of each authority that has one. */
  async chiefExecutivesOf(authorityIds: readonly string[]): Promise<Map<string, string>> {
    if (authorityIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('senior_officers')
      .select(['authority_id', 'title', 'name'])
      .where('authority_id', 'in', authorityIds)
      .where('role', '=', 'chief-executive')
      .execute();
    return new Map(rows.map((r) => [r.authority_id, [r.title, r.name].filter(Boolean).join(' ')]));
  }

  /** Each authority's latest five upheld decisions between two days (an outcome changed on review counts as the new one). */
  async upheldDecisionsOf(authorityIds: readonly string[], from: string, to: string) {
    const found = new Map<string, { reference: string; serviceArea: string; decidedOn: string; outcome: string }[]>();
    if (authorityIds.length === 0) return found;
    const rows = await sql<{
      authorityId: string;
      reference: string;
      serviceArea: string;
      decidedOn: string;
      outcome: string;
    }>`
      SELECT "authorityId", reference, "serviceArea", "decidedOn", outcome FROM (
        SELECT fd.authority_id AS "authorityId", c.reference, c.service_area AS "serviceArea",
          to_char(fd.decided_on, 'YYYY-MM-DD') AS "decidedOn", o.outcome,
          row_number() OVER (PARTITION BY fd.authority_id ORDER BY fd.decided_on DESC, c.reference) AS n
        FROM final_decisions fd
        JOIN complaints c ON c.id = fd.complaint_id
        LEFT JOIN decision_reviews r ON r.final_decision_id = fd.id
        CROSS JOIN LATERAL (SELECT CASE WHEN r.result = 'decision-changed' AND r.new_outcome IS NOT NULL
                                        THEN r.new_outcome ELSE fd.outcome END AS outcome) o
        WHERE fd.authority_id IN (${sql.join(authorityIds.map((id) => sql`${id}::uuid`))})
          AND fd.decided_on BETWEEN ${from}::date AND ${to}::date
          AND o.outcome IN (${sql.join(UPHELD.map((u) => sql.lit(u)))})
      ) ranked
      WHERE n <= 5
      ORDER BY "authorityId", n
    `.execute(this.db);
    for (const { authorityId, ...decision } of rows.rows) {
      const list = found.get(authorityId) ?? [];
      list.push(decision);
      found.set(authorityId, list);
    }
    return found;
  }

  async recipientsOf(authorityId: string): Promise<Recipient[]> {
    const rows = await sql<Recipient & { position: number }>`
      SELECT role, concat_ws(' ', title, name) AS name, email,
        CASE role WHEN 'chief-executive' THEN 0 WHEN 'monitoring-officer' THEN 2 WHEN 'leader' THEN 3 ELSE 4 END AS position
      FROM senior_officers
      WHERE authority_id = ${authorityId} AND role IN ('chief-executive', 'monitoring-officer', 'leader', 'scrutiny-chair')
      UNION ALL
      SELECT 'link-officer', concat_ws(' ', title, forename, surname), coalesce(correspondence_email, email), 1
      FROM link_officers WHERE authority_id = ${authorityId}
      ORDER BY position, name
    `.execute(this.db);
    return rows.rows.map((r) => ({ role: r.role, name: r.name, email: r.email }));
  }

  /** Writes the year's letters (one statement), each made again from the template (a letter's edits go). */
  async upsertLetters(
    year: number,
    letters: readonly { authorityId: string; body: string }[],
    at: Date,
  ): Promise<void> {
    if (letters.length === 0) return;
    await this.db
      .insertInto('annual_review_letters')
      .values(letters.map((l) => ({ year, authority_id: l.authorityId, body: l.body, generated_at: at })))
      .onConflict((oc) =>
        oc.columns(['year', 'authority_id']).doUpdateSet((eb) => ({
          body: eb.ref('excluded.body'),
          generated_at: eb.ref('excluded.generated_at'),
          edited_at: null,
          edited_by: null,
        })),
      )
      .execute();
  }

  async insertRun(row: {
    year: number;
    kind: 'generate' | 'send';
    authority_ids: string[] | null;
    total: number;
    resend: boolean;
    created_by: string | null;
    created_at: Date;
  }): Promise<string> {
    const out = await this.db.insertInto('annual_review_runs').values(row).returning('id').executeTakeFirstOrThrow();
    return out.id;
  }

  async run(id: string): Promise<RunRow | null> {
    const row = await this.db
      .selectFrom('annual_review_runs')
      .select(RUN_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  runs(year: number): Promise<RunRow[]> {
    return this.db
      .selectFrom('annual_review_runs')
      .select(RUN_COLUMNS)
      .where('year', '=', year)
      .orderBy('created_at', 'desc')
      .limit(10)
      .execute();
  }

  async advanceRun(
    id: string,
    done: number,
    skipped: RunRow['skipped'] | null,
    finishedAt: Date | null,
  ): Promise<void> {
    await this.db
      .updateTable('annual_review_runs')
      .set({
        done,
        finished_at: finishedAt,
        ...(skipped !== null ? { skipped: JSON.stringify(skipped) } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  private letterQuery() {
    return this.db
      .selectFrom('annual_review_letters as l')
      .innerJoin('authorities as a', 'a.id', 'l.authority_id')
      .select([
        'l.id',
        'l.year',
        'l.authority_id',
        'a.name as authority_name',
        'l.body',
        'l.generated_at',
        'l.edited_at',
        'l.sends',
        'l.sent_at',
        'l.last_send_run_id',
      ]);
  }

  letters(year: number): Promise<LetterRow[]> {
    return this.letterQuery().where('l.year', '=', year).orderBy('a.sort_name').orderBy('a.id').limit(1000).execute();
  }

  async letter(id: string): Promise<LetterRow | null> {
    return (await this.letterQuery().where('l.id', '=', id).executeTakeFirst()) ?? null;
  }

  async letterOf(authorityId: string, year: number): Promise<LetterRow | null> {
    return (
      (await this.letterQuery()
        .where('l.authority_id', '=', authorityId)
        .where('l.year', '=', year)
        .executeTakeFirst()) ?? null
    );
  }

  /** The letter, locked until the transaction ends (sending one letter at a time). */
  async lockLetter(id: string): Promise<LetterRow | null> {
    return (await this.letterQuery().where('l.id', '=', id).forUpdate('l').executeTakeFirst()) ?? null;
  }

  async countSent(year: number): Promise<{ sent: number; lastSentAt: Date | null }> {
    const row = await this.db
      .selectFrom('annual_review_letters')
      .select((eb) => [eb.fn.countAll<number>().as('sent'), eb.fn.max('sent_at').as('last')])
      .where('year', '=', year)
      .where('sends', '>', 0)
      .executeTakeFirst();
    return { sent: row?.sent ?? 0, lastSentAt: row?.last ?? null };
  }

  async countLetters(year: number, ids: readonly string[] | null): Promise<number> {
    let query = this.db
      .selectFrom('annual_review_letters')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('year', '=', year);
    if (ids !== null)
      query = query.where('authority_id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
    return (await query.executeTakeFirst())?.n ?? 0;
  }

  async letterIdsToSend(year: number, ids: readonly string[] | null, offset: number, limit: number): Promise<string[]> {
    let query = this.db.selectFrom('annual_review_letters').select('id').where('year', '=', year);
    if (ids !== null)
      query = query.where('authority_id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
    const rows = await query.orderBy('id').offset(offset).limit(limit).execute();
    return rows.map((r) => r.id);
  }

  async updateBody(id: string, body: string, by: string | null, at: Date): Promise<void> {
    await this.db
      .updateTable('annual_review_letters')
      .set({ body, edited_by: by, edited_at: at })
      .where('id', '=', id)
      .execute();
  }

  async markSent(id: string, sends: number, runId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('annual_review_letters')
      .set({ sends, sent_at: at, last_send_run_id: runId })
      .where('id', '=', id)
      .execute();
  }

  async insertRecipient(row: {
    letter_id: string;
    authority_id: string;
    send_number: number;
    role: Recipient['role'];
    copy: boolean;
    name: string;
    email: string;
    outbox_message_id: string | null;
    created_at: Date;
  }): Promise<void> {
    await this.db
      .insertInto('annual_review_recipients')
      .values(row)
      .onConflict((oc) => oc.columns(['letter_id', 'send_number', 'email']).doNothing())
      .execute();
  }

  /** Each recipient of a letter's sendings, with the state of its message in the outbox. */
  recipientsSent(letterId: string) {
    return this.db
      .selectFrom('annual_review_recipients as r')
      .leftJoin('outbox_messages as o', 'o.id', 'r.outbox_message_id')
      .select(['r.send_number', 'r.role', 'r.copy', 'r.name', 'r.email', 'o.status'])
      .where('r.letter_id', '=', letterId)
      .orderBy('r.send_number', 'desc')
      .orderBy('r.copy')
      .orderBy('r.name')
      .execute();
  }
}
