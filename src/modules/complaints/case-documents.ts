import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Database } from '../../platform/db/schema.ts';
import { notFound } from '../../platform/errors.ts';
import type { DocumentRow, FilesService, OpenedDocument } from '../../platform/files/files.service.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { ComplaintsRepository } from './complaints.repository.ts';
import { mayOpenDocument } from './domain.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who may open a case's documents, and opening them: the rule is the case's (`mayOpenDocument`),
 * the bytes are the platform's file store's. Enquiries and remedies open their attachments here
 * once they have checked the attachment is theirs.
 */
export class CaseDocuments {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly files: FilesService,
  ) {}

  /** A document's row, when the actor may see it; not found otherwise (so no one learns it exists). */
  async find(actor: Actor, id: string): Promise<DocumentRow> {
    if (!UUID.test(id)) throw notFound('The document');
    const found = await ComplaintsRepository.in(this.db).documentWithAccess(id);
    if (!found || !mayOpenDocument(actor, found)) throw notFound('The document');
    const { case_told: _told, ...document } = found;
    return document;
  }

  /** The document and a stream of its bytes, for a download, when the actor may see it. */
  async open(actor: Actor, id: string): Promise<OpenedDocument> {
    const document = await this.find(actor, id);
    return { document, stream: this.files.read(document) };
  }

  /** Setting or clearing "do not disclose" (staff only). */
  async setDoNotDisclose(actor: Actor, id: string, value: boolean): Promise<DocumentRow> {
    if (actor.authorityId !== null || !can(actor, 'complaints:read') || !UUID.test(id)) throw notFound('The document');
    return this.db.transaction().execute(async (trx) => {
      const row = await ComplaintsRepository.in(trx).setDoNotDisclose(id, value);
      if (!row) throw notFound('The document');
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: value ? 'document.marked-do-not-disclose' : 'document.cleared-do-not-disclose',
        recordType: 'document',
        recordId: id,
        authorityId: row.authority_id,
        requestId: actor.requestId ?? null,
      });
      return row;
    });
  }
}
