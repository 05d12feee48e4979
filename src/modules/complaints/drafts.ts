import crypto from 'node:crypto';
import type { DbOrTx } from '../../platform/db/database.ts';
import { DomainError, invalid } from '../../platform/errors.ts';
import { ComplaintDraftsRepository } from './complaint-drafts.repository.ts';
import type { NewComplaint } from './complaints.schemas.ts';
import { isUuid, type ComplaintsContext } from './context.ts';
import { receive } from './intake.ts';

// The public form's drafts: answers kept for 24 hours under a token in the browser's cookie.

const DRAFT_TTL_MS = 24 * 3600 * 1000;

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** The answers of a draft, or null when there is none (or it is more than 24 hours old). */
export async function readDraft(
  ctx: ComplaintsContext,
  token: string | undefined,
  db: DbOrTx = ctx.db,
): Promise<Record<string, unknown> | null> {
  if (!token || !/^[\w-]{43}$/.test(token)) return null;
  const row = await new ComplaintDraftsRepository(db).find(hashToken(token));
  if (!row || row.updated_at.getTime() < ctx.clock.now().getTime() - DRAFT_TTL_MS) return null;
  return row.answers;
}

/** Saves answers to the draft (merging), starting one when there is none; returns the token to keep in the cookie. */
export async function saveDraft(
  ctx: ComplaintsContext,
  token: string | undefined,
  answers: Record<string, unknown>,
  db: DbOrTx = ctx.db,
): Promise<string> {
  const existing = await readDraft(ctx, token, db);
  const now = ctx.clock.now();
  const use = existing !== null && token ? token : crypto.randomBytes(32).toString('base64url');
  const merged = { ...(existing ?? {}), ...answers };
  await new ComplaintDraftsRepository(db).save(hashToken(use), JSON.stringify(merged), now);
  return use;
}

/**
 * Stores an attachment for a draft (not yet filed to any case, within the budget for all drafts'
 * files) and records it in the draft, in one transaction. Returns the token to keep in the cookie
 * and the name the file was stored under.
 */
export async function attachToDraft(
  ctx: ComplaintsContext,
  token: string | undefined,
  content: Buffer,
  filename: string,
): Promise<{ token: string; filename: string }> {
  const answers = (await readDraft(ctx, token)) ?? {};
  const current = Array.isArray(answers.documents) ? (answers.documents as { id: string; filename: string }[]) : [];
  if (current.length >= 5)
    throw invalid([{ field: 'file', message: 'You can attach up to 5 files: remove one to add another' }]);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await ctx.files.storeUnfiled(trx, content, { filename });
    const documents = [...current, { id: row.id, filename: row.filename }];
    return { token: await saveDraft(ctx, token, { documents }, trx), filename: row.filename };
  });
}

/** Submits a draft: the complaint is recorded and the draft, with its personal data, deleted. */
export async function submitDraft(
  ctx: ComplaintsContext,
  token: string | undefined,
  input: Omit<NewComplaint, 'documentIds'>,
) {
  const answers = await readDraft(ctx, token);
  if (!answers || !token) throw new DomainError('gone', 'Your answers have expired: start again');
  const docs = Array.isArray(answers.documents) ? (answers.documents as { id: string }[]).map((d) => d.id) : [];
  const created = await receive(ctx, null, { ...input, documentIds: docs });
  await new ComplaintDraftsRepository(ctx.db).delete(hashToken(token));
  return created;
}

/**
 * Deletes drafts untouched for 24 hours, and the attachments that were never filed with them: their
 * rows with the drafts, then their files once that has committed.
 */
export async function sweepDrafts(ctx: ComplaintsContext): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - DRAFT_TTL_MS);
  const swept = await ctx.db.transaction().execute(async (trx) => {
    const drafts = new ComplaintDraftsRepository(trx);
    const old = await drafts.deleteUntouchedSince(cutoff);
    const ids = old.flatMap((d) =>
      Array.isArray(d.answers.documents)
        ? (d.answers.documents as { id: string }[]).map((x) => x.id).filter(isUuid)
        : [],
    );
    const documents = ids.length > 0 ? await drafts.deleteUnfiledDocuments(ids) : [];
    return { drafts: old.length, storageKeys: documents.map((d) => d.storage_key) };
  });
  await ctx.files.discard(swept.storageKeys);
  return swept.drafts;
}
