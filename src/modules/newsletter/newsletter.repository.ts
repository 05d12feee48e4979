import { sql, type Kysely } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Counts } from './domain.ts';
import type { IssueStatus } from './newsletter.tables.ts';
import './newsletter.tables.ts';

/** The outbox kind of an issue's messages. */
export const ISSUE_MAIL_KIND = 'newsletter';
/**
 * Issues: composing, scheduling and sending them, the public archive, and their figures (the
 * progress page's counts while an issue is being sent, the ledger's once sent, the report).
 */
export class NewsletterRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): NewsletterRepository {
    return new NewsletterRepository(db);
  }

  insertIssue(values: {
    slug: string;
    subject: string;
    preheader: string;
    body: string;
    topics: string[];
    createdBy: string | null;
    now: Date;
  }) {
    return this.db
      .insertInto('newsletter_issues')
      .values({
        slug: values.slug,
        subject: values.subject,
        preheader: values.preheader,
        body: values.body,
        topics: values.topics,
        created_by: values.createdBy,
        created_at: values.now,
        updated_at: values.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  }

  async slugTaken(slug: string): Promise<boolean> {
    const row = await this.db.selectFrom('newsletter_issues').select('id').where('slug', '=', slug).executeTakeFirst();
    return row !== undefined;
  }

  issue(id: string) {
    return this.db.selectFrom('newsletter_issues').selectAll().where('id', '=', id).executeTakeFirst();
  }

  lockIssue(id: string) {
    return this.db.selectFrom('newsletter_issues').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  updateIssue(
    id: string,
    values: Partial<{
      subject: string;
      preheader: string;
      body: string;
      topics: string[];
      status: IssueStatus;
      scheduled_for: Date | null;
      recipients: number;
      send_started_at: Date;
      sent_at: Date;
      updated_at: Date;
    }>,
  ) {
    return this.db.updateTable('newsletter_issues').set(values).where('id', '=', id).execute();
  }

  issues(limit: number) {
    return this.db
      .selectFrom('newsletter_issues')
      .select(['id', 'slug', 'subject', 'status', 'scheduled_for', 'sent_at', 'recipients', 'created_at'])
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Sent issues for the public archive, newest first, with an optional search of subject and text. */
  archive(q: string | null, limit: number) {
    let query = this.db
      .selectFrom('newsletter_issues')
      .select(['id', 'slug', 'subject', 'preheader', 'sent_at'])
      .where('status', '=', 'sent');
    if (q) {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('subject', 'ilike', like), eb('body', 'ilike', like)]));
    }
    return query.orderBy('sent_at', 'desc').orderBy('id').limit(limit).execute();
  }

  sentIssueBySlug(slug: string) {
    return this.db
      .selectFrom('newsletter_issues')
      .selectAll()
      .where('slug', '=', slug)
      .where('status', '=', 'sent')
      .executeTakeFirst();
  }

  dueScheduled(now: Date) {
    return this.db
      .selectFrom('newsletter_issues')
      .select('id')
      .where('status', '=', 'scheduled')
      .where('scheduled_for', '<=', now)
      .execute();
  }

  sendingIssues() {
    return this.db.selectFrom('newsletter_issues').select('id').where('status', '=', 'sending').execute();
  }

  /**
   * Recipients, sent and failed of an issue being sent. Its deliveries not yet in the outbox and
   * those in the outbox not yet settled come from the counts kept on the issue's row; its failures
   * are counted from the outbox's few failed or unknown rows (in the same statement); everything else
   * is sent. Nothing reads the issue's deliveries while the worker rewrites them, so the progress
   * page stays cheap however large the issue.
   */
  async liveCounts(issueId: string, recipients: number): Promise<Counts> {
    const row = await this.db
      .selectFrom('newsletter_issues as i')
      .select((eb) => [
        'i.deliveries_queued',
        'i.deliveries_settled',
        eb
          .selectFrom('outbox_messages as o')
          .innerJoin('newsletter_deliveries as d', 'd.outbox_message_id', 'o.id')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('o.status', 'in', ['failed', 'unknown'])
          .where('d.issue_id', '=', issueId)
          .where('d.outcome', '=', 'failed')
          .as('failed'),
      ])
      .where('i.id', '=', issueId)
      .executeTakeFirst();
    const pending = recipients - (row?.deliveries_queued ?? 0);
    const unsettled = (row?.deliveries_queued ?? 0) - (row?.deliveries_settled ?? 0);
    const failed = row?.failed ?? 0;
    return { recipients, sent: Math.max(0, recipients - pending - unsettled - failed), failed, bounced: 0 };
  }

  /** Recipients, sent, failed and bounced, from the outbox's own ledger. */
  async counts(issueId: string): Promise<Counts> {
    const row = await this.db
      .selectFrom('newsletter_deliveries as d')
      .leftJoin('outbox_messages as o', 'o.id', 'd.outbox_message_id')
      .select([
        sql<number>`count(*)::int`.as('recipients'),
        sql<number>`count(*) FILTER (WHERE o.status = 'sent' AND o.last_error IS NULL)::int`.as('sent'),
        sql<number>`count(*) FILTER (WHERE o.status IN ('failed', 'unknown'))::int`.as('failed'),
        sql<number>`count(*) FILTER (WHERE o.status = 'sent' AND o.last_error LIKE 'Delivery report: 5%')::int`.as(
          'bounced',
        ),
      ])
      .where('d.issue_id', '=', issueId)
      .executeTakeFirstOrThrow();
    return row;
  }

  /** Delivered, bounced and unsubscribed by authority kind (subscribers under null). */
  report(issueId: string, sentSince: Date) {
    return this.db
      .selectFrom('newsletter_deliveries as d')
      .leftJoin('outbox_messages as o', 'o.id', 'd.outbox_message_id')
      .leftJoin('newsletter_suppressions as x', (join) =>
        join
          .onRef('x.email_key', '=', 'd.email_key')
          .on('x.reason', '=', 'unsubscribed')
          .on('x.created_at', '>=', sentSince),
      )
      .select([
        'd.authority_kind',
        sql<number>`count(*)::int`.as('recipients'),
        sql<number>`count(*) FILTER (WHERE o.status = 'sent' AND o.last_error IS NULL)::int`.as('delivered'),
        sql<number>`count(*) FILTER (WHERE o.status = 'failed' OR o.last_error LIKE 'Delivery report: 5%')::int`.as(
          'bounced',
        ),
        sql<number>`count(x.email_key)::int`.as('unsubscribed'),
      ])
      .where('d.issue_id', '=', issueId)
      .groupBy('d.authority_kind')
      .orderBy('d.authority_kind')
      .execute();
  }

  async userEmail(id: string): Promise<string | null> {
    const row = await this.db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirst();
    return row?.email ?? null;
  }
}

export function newsletterRepository(db: Kysely<Database>): NewsletterRepository {
  return new NewsletterRepository(db);
}
