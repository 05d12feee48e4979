import type { DbOrTx } from '../../platform/db/database.ts';

/** The public form's drafts (answers kept by a hashed cookie token) and the files attached to them. */
export class ComplaintDraftsRepository {
  constructor(private readonly db: DbOrTx) {}

  /** A draft's answers and when they last changed. */
  find(tokenHash: string) {
    return this.db
      .selectFrom('complaint_drafts')
      .select(['answers', 'updated_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  /** Starts a draft with these answers, or replaces the answers of the one with this token. */
  async save(tokenHash: string, answers: string, at: Date): Promise<void> {
    await this.db
      .insertInto('complaint_drafts')
      .values({ token_hash: tokenHash, answers, created_at: at, updated_at: at })
      .onConflict((oc) => oc.column('token_hash').doUpdateSet({ answers, updated_at: at }))
      .execute();
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('complaint_drafts').where('token_hash', '=', tokenHash).execute();
  }

  /** Deletes the drafts untouched since `cutoff`, returning their answers. */
  deleteUntouchedSince(cutoff: Date) {
    return this.db.deleteFrom('complaint_drafts').where('updated_at', '<', cutoff).returning('answers').execute();
  }

  /** Deletes the rows of documents never filed to a case, returning where their files are stored. */
  deleteUnfiledDocuments(ids: readonly string[]) {
    return this.db
      .deleteFrom('documents')
      .where('id', 'in', ids)
      .where('complaint_id', 'is', null)
      .returning('storage_key')
      .execute();
  }
}
