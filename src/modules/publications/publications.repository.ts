import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { Database, NewRow, Row, RowUpdate } from '../../platform/db/schema.ts';
import { afterKeyset } from '../../platform/pagination.ts';

export type PublicationRow = Omit<Row<'publications'>, 'search' | 'title_search'>;

/** Every column but the search vector, which nothing reads back. */
const COLUMNS = [
  'p.id',
  'p.kind',
  'p.slug',
  'p.title',
  'p.summary',
  'p.body',
  'p.body_text',
  'p.topics',
  'p.councillor_questions',
  'p.partners',
  'p.status',
  'p.published_at',
  'p.version',
  'p.corrected_at',
  'p.withdrawn_at',
  'p.withdrawal_notice',
  'p.created_at',
  'p.updated_at',
] as const;

/** The publications' own tables; every statement about them is here. */
export class PublicationsRepository {
  constructor(readonly db: Kysely<Database>) {}

  // Topics.

  topics(db: DbOrTx = this.db) {
    return db
      .selectFrom('publication_topics')
      .select(['slug', 'name', 'service_area'])
      .orderBy('service_area', 'desc')
      .orderBy('name')
      .execute();
  }

  async addTopic(trx: Tx, slug: string, name: string): Promise<void> {
    await trx
      .insertInto('publication_topics')
      .values({ slug, name })
      .onConflict((c) => c.doNothing())
      .execute();
  }

  // One publication.

  findById(id: string, db: DbOrTx = this.db): Promise<PublicationRow | undefined> {
    return db.selectFrom('publications as p').select(COLUMNS).where('p.id', '=', id).executeTakeFirst();
  }

  lock(trx: Tx, id: string): Promise<PublicationRow | undefined> {
    return trx.selectFrom('publications as p').select(COLUMNS).where('p.id', '=', id).forUpdate().executeTakeFirst();
  }

  insert(trx: Tx, values: NewRow<'publications'>) {
    return trx.insertInto('publications').values(values).returning(['id', 'slug']).executeTakeFirstOrThrow();
  }

  async update(trx: Tx, id: string, values: RowUpdate<'publications'>): Promise<void> {
    await trx.updateTable('publications').set(values).where('id', '=', id).execute();
  }

  /** Which publication an address belongs to, now or before a change of title. */
  slugOwner(db: DbOrTx, slug: string): Promise<{ publication_id: string } | undefined> {
    return db
      .selectFrom('publications')
      .select('id as publication_id')
      .where('slug', '=', slug)
      .unionAll(db.selectFrom('publication_slugs').select('publication_id').where('slug', '=', slug))
      .executeTakeFirst();
  }

  async retireSlug(trx: Tx, slug: string, publicationId: string, at: Date): Promise<void> {
    await trx
      .insertInto('publication_slugs')
      .values({ slug, publication_id: publicationId, retired_at: at })
      .onConflict((c) => c.doNothing())
      .execute();
  }

  async reviveSlug(trx: Tx, slug: string, publicationId: string): Promise<void> {
    await trx
      .deleteFrom('publication_slugs')
      .where('slug', '=', slug)
      .where('publication_id', '=', publicationId)
      .execute();
  }

  /** The current address of a publication that had `slug` before its title changed. */
  async currentSlugFor(slug: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('publication_slugs as s')
      .innerJoin('publications as p', 'p.id', 's.publication_id')
      .select('p.slug')
      .where('s.slug', '=', slug)
      .executeTakeFirst();
    return row?.slug;
  }

  // Versions and corrections.

  async keepVersion(trx: Tx, row: PublicationRow, replacedAt: Date): Promise<void> {
    await trx
      .insertInto('publication_versions')
      .values({
        publication_id: row.id,
        version: row.version,
        title: row.title,
        summary: row.summary,
        body: row.body,
        topics: row.topics,
        councillor_questions: row.councillor_questions,
        partners: row.partners,
        published_at: row.corrected_at ?? row.published_at ?? replacedAt,
        replaced_at: replacedAt,
      })
      .execute();
  }

  async addCorrection(trx: Tx, publicationId: string, version: number, note: string, at: Date): Promise<void> {
    await trx
      .insertInto('publication_corrections')
      .values({ publication_id: publicationId, version, note, corrected_at: at })
      .execute();
  }

  corrections(publicationId: string) {
    return this.db
      .selectFrom('publication_corrections')
      .select(['version', 'note', 'corrected_at'])
      .where('publication_id', '=', publicationId)
      .orderBy('version', 'desc')
      .execute();
  }

  versions(publicationId: string) {
    return this.db
      .selectFrom('publication_versions')
      .select(['version', 'title', 'published_at', 'replaced_at'])
      .where('publication_id', '=', publicationId)
      .orderBy('version', 'desc')
      .execute();
  }

  version(publicationId: string, version: number) {
    return this.db
      .selectFrom('publication_versions')
      .selectAll()
      .where('publication_id', '=', publicationId)
      .where('version', '=', version)
      .executeTakeFirst();
  }

  // Attachments.

  attachments(publicationId: string) {
    return this.db
      .selectFrom('publication_attachments as a')
      .innerJoin('documents as d', 'd.id', 'a.document_id')
      .select(['a.id', 'a.title', 'd.filename', 'd.content_type', 'd.size'])
      .where('a.publication_id', '=', publicationId)
      .orderBy('a.added_at')
      .orderBy('a.id')
      .execute();
  }

  async addAttachment(trx: Tx, publicationId: string, documentId: string, title: string, at: Date): Promise<void> {
    await trx
      .insertInto('publication_attachments')
      .values({ publication_id: publicationId, document_id: documentId, title, added_at: at })
      .execute();
  }

  /** Deletes an attachment and its document row; the file's storage key, for the files service to discard. */
  async removeAttachment(trx: Tx, publicationId: string, attachmentId: string): Promise<string | undefined> {
    const removed = await trx
      .deleteFrom('publication_attachments')
      .where('id', '=', attachmentId)
      .where('publication_id', '=', publicationId)
      .returning('document_id')
      .executeTakeFirst();
    if (!removed) return undefined;
    const document = await trx
      .deleteFrom('documents')
      .where('id', '=', removed.document_id)
      .returning('storage_key')
      .executeTakeFirst();
    return document?.storage_key;
  }

  /** An attachment's document, when the publication is public at `now` (or for staff, `anyState`). */
  attachmentDocument(slug: string, attachmentId: string, now: Date, anyState: boolean) {
    let query = this.db
      .selectFrom('publication_attachments as a')
      .innerJoin('publications as p', 'p.id', 'a.publication_id')
      .innerJoin('documents as d', 'd.id', 'a.document_id')
      .select(['d.filename', 'd.content_type', 'd.size', 'd.storage_key'])
      .where('a.id', '=', attachmentId)
      .where('p.slug', '=', slug);
    if (!anyState) query = query.where('p.status', '=', 'published').where('p.published_at', '<=', now);
    return query.executeTakeFirst();
  }

  // The public side.

  /** A publication by its current address with its corrections and attachments, whatever its state. */
  bySlug(slug: string) {
    return this.db
      .selectFrom('publications as p')
      .select(COLUMNS)
      .select((eb) => [
        jsonArrayFrom(
          eb
            .selectFrom('publication_corrections as c')
            .select(['c.version', 'c.note', 'c.corrected_at'])
            .whereRef('c.publication_id', '=', 'p.id')
            .orderBy('c.version', 'desc'),
        ).as('corrections'),
        jsonArrayFrom(
          eb
            .selectFrom('publication_attachments as a')
            .innerJoin('documents as d', 'd.id', 'a.document_id')
            .select(['a.id', 'a.title', 'd.filename', 'd.content_type', 'd.size'])
            .whereRef('a.publication_id', '=', 'p.id')
            .orderBy('a.added_at')
            .orderBy('a.id'),
        ).as('attachments'),
      ])
      .where('p.slug', '=', slug)
      .executeTakeFirst();
  }

  // The editor's list.

  editorList(after: [string, string] | null, limit: number) {
    let query = this.db
      .selectFrom('publications as p')
      .select(['p.id', 'p.kind', 'p.slug', 'p.title', 'p.status', 'p.published_at', 'p.updated_at', 'p.version']);
    if (after)
      query = query.where(
        afterKeyset([sql`p.updated_at`, sql`p.id`], [sql`${after[0]}::timestamptz`, sql`${after[1]}::uuid`], 'desc'),
      );
    return query.orderBy('p.updated_at', 'desc').orderBy('p.id', 'desc').limit(limit).execute();
  }

  // Site pages.

  sitePage(key: string) {
    return this.db.selectFrom('site_pages').selectAll().where('key', '=', key).executeTakeFirst();
  }

  async saveSitePage(trx: Tx, key: string, title: string, body: string, at: Date): Promise<void> {
    await trx
      .insertInto('site_pages')
      .values({ key, title, body, updated_at: at })
      .onConflict((c) => c.column('key').doUpdateSet({ title, body, updated_at: at }))
      .execute();
  }
}
