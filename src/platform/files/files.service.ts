import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { AuditActor } from '../audit/audit.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import type { DbOrTx, Tx } from '../db/database.ts';
import type { Database, Row } from '../db/schema.ts';
import { DomainError, notFound } from '../errors.ts';
import { FilesRepository } from './files.repository.ts';
import { ACCEPTED_KINDS, safeFilename, sniffType } from './sniff.ts';
import { writeWhole } from './write-whole.ts';

export type DocumentRow = Row<'documents'>;

/** Who uploaded a file, as the audit trail records them: a signed-in user or an API token. */
export interface Uploader {
  type: 'user' | 'token';
  id: string;
  roles: readonly string[];
  /** The request it came in, for the audit row. */
  requestId?: string | null;
}

export interface StoreMeta {
  filename: string;
  /** The case the document belongs to; null for a document not yet filed (e.g. inbound mail). */
  complaintId: string | null;
  /** The authority it concerns (the complaint's authority, when there is a complaint). */
  authorityId: string | null;
  doNotDisclose?: boolean;
  description?: string | null;
  /** Who uploaded it, for the audit trail; null for the system (inbound mail). */
  uploadedBy: Uploader | null;
  /** The form field the file came from, named in error messages. */
  field?: string;
}

export interface FilesSettings {
  /** Folder for the files (content-addressed: two levels of folders from the SHA-256). */
  dir: string;
  maxBytes: number;
  /** The most bytes that uploads not yet filed to a case (the public form's drafts) may hold together. */
  unfiledBudgetBytes: number;
}

export interface OpenedDocument {
  document: DocumentRow;
  stream: Readable;
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

const STORAGE_KEY = /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/;
/** A file left by a write that never finished (`write-whole.ts`): the final name, a random part, `.part`. */
const PARTIAL_WRITE = /^[0-9a-f]{64}\.[0-9a-f]{12}\.part$/;
const HEX_PAIR = /^[0-9a-f]{2}$/;

/**
 * How old a file with no row must be before the sweep removes it: an upload writes its file before its
 * row commits, and a file younger than this may be one whose transaction is still open.
 */
export const ORPHAN_GRACE_MS = 24 * 3600 * 1000;

/**
 * Document storage: files checked by content, limited in size, checksummed, stored on disk once per
 * content (the SHA-256 names the file), and described by a `documents` row that says whose it is and
 * whether it may be disclosed. Other modules store with `store()` inside their own transaction and
 * hand files out only through `open()`, which applies who may see what. Whoever deletes rows hands
 * their storage keys to `discard()` once the deletion has committed; a file no row names any more is
 * deleted then, or by the daily `sweepOrphans()`.
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
    // The file's lock is held until the row commits, so the transaction is the caller's or our own.
    if (!db.isTransaction) return this.db.transaction().execute((trx) => this.store(trx, bytes, meta));
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const storageKey = `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
    // A store holds its file's shared lock until its row commits: the file is not deleted under it.
    const files = new FilesRepository(db);
    await files.lockFileShared(storageKey);
    await this.writeOnce(storageKey, bytes);
    const row = await files.insertDocument({
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
    });
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
   * Stores a file no one signed in sent and no case holds yet (an upload on the public complaint form),
   * within the budget for all such files together (files staff keep outside cases, a publication's,
   * are not such files): past it, the upload is refused ("try again
   * later") and nothing is stored. Pass the transaction that records the upload where it belongs.
   */
  async storeUnfiled(trx: Tx, content: Buffer, meta: Omit<StoreMeta, 'complaintId' | 'authorityId' | 'uploadedBy'>) {
    // Unfiled uploads check and add to the budget one at a time.
    const files = new FilesRepository(trx);
    await files.lockUnfiledBudget();
    const held = await files.unfiledBytesHeld();
    if (held + content.length > this.settings.unfiledBudgetBytes) {
      throw new DomainError('rate-limited', 'Uploads are paused', [
        {
          field: meta.field ?? 'file',
          message:
            'We cannot take any more files just now: try again later, or send your complaint without them and we will ask you for them',
        },
      ]);
    }
    return this.store(trx, content, { ...meta, complaintId: null, authorityId: null, uploadedBy: null });
  }

  /**
   * Deletes the files of rows that have been deleted, once no row names them any more (rows with the
   * same content share a file). Call it after the transaction that deleted the rows has committed:
   * a file deleted before a rollback would be lost. A file a store is taking up at that moment is left
   * to the daily sweep. Returns how many files were deleted.
   */
  async discard(storageKeys: Iterable<string>): Promise<number> {
    const keys = [...new Set(storageKeys)].filter((k) => STORAGE_KEY.test(k));
    let removed = 0;
    // In batches: each key's lock takes a slot of the server's lock table until the batch commits.
    for (let i = 0; i < keys.length; i += 100) {
      const batch = keys.slice(i, i + 100);
      removed += await this.db.transaction().execute(async (trx) => {
        // A file is deleted only under its exclusive lock, taken without waiting: a store holding it
        // may be about to commit a row that names the file.
        const files = new FilesRepository(trx);
        const claimed: string[] = [];
        for (const key of batch) if (await files.tryLockFile(key)) claimed.push(key);
        if (claimed.length === 0) return 0;
        const kept = await files.storageKeysNamed(claimed);
        let deleted = 0;
        for (const key of claimed) if (!kept.has(key) && (await removeFile(this.pathOf(key)))) deleted++;
        return deleted;
      });
    }
    return removed;
  }

  /**
   * The daily sweep of the documents folder: deletes document files no row names that were last
   * written more than a day ago (younger ones may belong to an upload whose row is not committed yet),
   * and partial writes as old. Anything else in the folder is left alone. Returns how many went.
   */
  async sweepOrphans(): Promise<number> {
    const cutoff = this.clock.now().getTime() - ORPHAN_GRACE_MS;
    let removed = 0;
    let candidates: string[] = [];
    for (const first of await listFolder(this.settings.dir)) {
      if (!HEX_PAIR.test(first)) continue;
      for (const second of await listFolder(path.join(this.settings.dir, first))) {
        if (!HEX_PAIR.test(second)) continue;
        const folder = path.join(this.settings.dir, first, second);
        for (const name of await listFolder(folder)) {
          const isDocument = STORAGE_KEY.test(`${first}/${second}/${name}`);
          if (!isDocument && !PARTIAL_WRITE.test(name)) continue;
          const stat = await fs.promises.stat(path.join(folder, name)).catch(() => null);
          if (!stat?.isFile() || stat.mtimeMs >= cutoff) continue;
          if (!isDocument) {
            if (await removeFile(path.join(folder, name))) removed++;
            continue;
          }
          candidates.push(`${first}/${second}/${name}`);
          if (candidates.length >= 500) {
            removed += await this.discard(candidates);
            candidates = [];
          }
        }
      }
    }
    return removed + (await this.discard(candidates));
  }

  /** A stream of a stored document's bytes; not found when its file is gone. Who may open it is the caller's rule. */
  read(document: Pick<DocumentRow, 'storage_key'>): Readable {
    const file = this.pathOf(document.storage_key);
    if (!fs.existsSync(file)) throw notFound('The document');
    return fs.createReadStream(file);
  }

  private pathOf(storageKey: string): string {
    if (!STORAGE_KEY.test(storageKey)) throw notFound('The document');
    return path.join(this.settings.dir, storageKey);
  }

  /** Content-addressed: the same bytes are written once; a temporary file and a rename keep it whole. */
  private async writeOnce(storageKey: string, bytes: Buffer): Promise<void> {
    const target = this.pathOf(storageKey);
    if (fs.existsSync(target)) return;
    await writeWhole(target, bytes);
  }
}

/** The names in a folder; none when it does not exist. */
async function listFolder(folder: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Deletes a file; false when it was already gone. */
async function removeFile(file: string): Promise<boolean> {
  try {
    await fs.promises.unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function auditActorOf(actor: Uploader | null): AuditActor {
  return actor ? { type: actor.type, id: actor.id, role: actor.roles[0] ?? null } : { type: 'system', id: null };
}
