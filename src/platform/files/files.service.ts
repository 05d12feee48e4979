import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { can, type Actor } from '../../modules/accounts/domain.ts';
import { toldToAuthority } from '../../modules/complaints/domain.ts';
import type { AuditActor } from '../audit/audit.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import type { DbOrTx } from '../db/database.ts';
import type { ComplaintOutcome, Database, Row } from '../db/schema.ts';
import { DomainError, notFound } from '../errors.ts';
import { ACCEPTED_KINDS, safeFilename, sniffType } from './sniff.ts';
import { writeWhole } from './write-whole.ts';

export type DocumentRow = Row<'documents'>;

export interface StoreMeta {
  filename: string;
  /** The case the document belongs to; null for a document not yet filed (e.g. inbound mail). */
  complaintId: string | null;
  /** The authority it concerns (the complaint's authority, when there is a complaint). */
  authorityId: string | null;
  doNotDisclose?: boolean;
  description?: string | null;
  /** Who uploaded it, for the audit trail; null for the system (inbound mail). */
  uploadedBy: Actor | null;
  /** The form field the file came from, named in error messages. */
  field?: string;
}

export interface FilesSettings {
  /** Folder for the files (content-addressed: two levels of folders from the SHA-256). */
  dir: string;
  maxBytes: number;
}

/** What decides who may open a document: the row's own marks and the outcome of the case it is filed to. */
export type DocumentAccess = Pick<DocumentRow, 'authority_id' | 'complaint_id' | 'do_not_disclose'> & {
  /** The outcome of the case the document is filed to (null while the case is open, or when it has no case). */
  case_outcome: ComplaintOutcome | null;
};

export interface OpenedDocument {
  document: DocumentRow;
  stream: Readable;
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/**
 * Document storage: files checked by content, limited in size, checksummed, stored on disk once per
 * content (the SHA-256 names the file), and described by a `documents` row that says whose it is and
 * whether it may be disclosed. Other modules store with `store()` inside their own transaction and
 * hand files out only through `open()`, which applies who may see what.
 */
export class FilesService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    readonly settings: FilesSettings,
  ) {}

  /** Reads a stream into memory, refusing it as soon as it passes the size limit. */
  async readLimited(stream: Readable, field = 'file'): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buffer.length;
      if (size > this.settings.maxBytes) {
        stream.destroy();
        throw this.tooLarge(field);
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks);
  }

  tooLarge(field = 'file'): DomainError {
    return new DomainError('validation', 'The file is too large', [
      { field, message: `The selected file must be smaller than ${megabytes(this.settings.maxBytes)}` },
    ]);
  }

  /**
   * Checks and stores a file and writes its `documents` row with `db` (pass the caller's transaction
   * so the row commits with the change it belongs to). A wrong type, an empty or oversize file is a
   * validation error on `meta.field`; nothing is stored.
   */
  async store(db: DbOrTx, content: Buffer | Readable, meta: StoreMeta): Promise<DocumentRow> {
    const field = meta.field ?? 'file';
    const bytes = Buffer.isBuffer(content) ? content : await this.readLimited(content, field);
    if (bytes.length > this.settings.maxBytes) throw this.tooLarge(field);
    if (bytes.length === 0)
      throw new DomainError('validation', 'The file is empty', [{ field, message: 'The selected file is empty' }]);
    const type = sniffType(bytes);
    if (!type) {
      throw new DomainError('validation', 'The file is not a kind that is accepted', [
        { field, message: `The selected file must be a ${ACCEPTED_KINDS}` },
      ]);
    }
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const storageKey = `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
    await this.writeOnce(storageKey, bytes);
    const row = await db
      .insertInto('documents')
      .values({
        complaint_id: meta.complaintId,
        authority_id: meta.authorityId,
        filename: safeFilename(meta.filename, type.extension),
        content_type: type.contentType,
        size: bytes.length,
        sha256,
        do_not_disclose: meta.doNotDisclose ?? false,
        storage_key: storageKey,
        description: meta.description ?? null,
        uploaded_by: meta.uploadedBy?.type === 'user' ? meta.uploadedBy.id : null,
        uploaded_at: this.clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(db, {
      actor: auditActorOf(meta.uploadedBy),
      action: 'document.stored',
      recordType: 'document',
      recordId: row.id,
      authorityId: meta.authorityId,
      requestId: meta.uploadedBy?.requestId ?? null,
    });
    return row;
  }

  /**
   * Whether the actor may see a document: staff who may read cases; the authority's own users and
   * tokens only for a document filed to one of its cases, not marked not for disclosure, on a case
   * the authority was told of (never one closed as invalid or out of jurisdiction).
   */
  mayOpen(actor: Actor, document: DocumentAccess): boolean {
    if (actor.authorityId === null) return can(actor, 'complaints:read');
    return (
      document.complaint_id !== null &&
      document.authority_id === actor.authorityId &&
      !document.do_not_disclose &&
      toldToAuthority(document.case_outcome) &&
      can(actor, 'portal:complaints')
    );
  }

  /** A document's row, when the actor may see it; not found otherwise (so no one learns it exists). */
  async find(actor: Actor, id: string): Promise<DocumentRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('The document');
    const found = await this.db
      .selectFrom('documents as d')
      .leftJoin('complaints as c', 'c.id', 'd.complaint_id')
      .selectAll('d')
      .select('c.outcome as case_outcome')
      .where('d.id', '=', id)
      .executeTakeFirst();
    if (!found || !this.mayOpen(actor, found)) throw notFound('The document');
    const { case_outcome: _outcome, ...document } = found;
    return document;
  }

  /** The document and a stream of its bytes, for a download, when the actor may see it. */
  async open(actor: Actor, id: string): Promise<OpenedDocument> {
    const document = await this.find(actor, id);
    const file = this.pathOf(document.storage_key);
    if (!fs.existsSync(file)) throw notFound('The document');
    return { document, stream: fs.createReadStream(file) };
  }

  /** Setting or clearing "do not disclose" (staff only). */
  async setDoNotDisclose(actor: Actor, id: string, value: boolean): Promise<DocumentRow> {
    if (actor.authorityId !== null || !can(actor, 'complaints:read')) throw notFound('The document');
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('documents')
        .set({ do_not_disclose: value })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('The document');
      await writeAudit(trx, {
        actor: auditActorOf(actor),
        action: value ? 'document.marked-do-not-disclose' : 'document.cleared-do-not-disclose',
        recordType: 'document',
        recordId: id,
        authorityId: row.authority_id,
        requestId: actor.requestId ?? null,
      });
      return row;
    });
  }

  private pathOf(storageKey: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(storageKey)) throw notFound('The document');
    return path.join(this.settings.dir, storageKey);
  }

  /** Content-addressed: the same bytes are written once; a temporary file and a rename keep it whole. */
  private async writeOnce(storageKey: string, bytes: Buffer): Promise<void> {
    const target = this.pathOf(storageKey);
    if (fs.existsSync(target)) return;
    await writeWhole(target, bytes);
  }
}

function auditActorOf(actor: Actor | null): AuditActor {
  return actor ? { type: actor.type, id: actor.id, role: actor.roles[0] ?? null } : { type: 'system', id: null };
}
