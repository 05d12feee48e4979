import type { Kysely } from 'kysely';
import { z } from 'zod';
import { instant } from '../../platform/input.ts';
import type { Database } from '../../platform/db/schema.ts';
import { forbidden } from '../../platform/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { AuditRepository, type AuditEventRow } from './audit.repository.ts';
import type { AuditFilter } from './domain.ts';

const cursorShape = z.tuple([instant(), z.number().int().positive()]);

/** Reads the audit log, for the people whose role allows it. */
export class AuditService {
  private readonly repo: AuditRepository;

  constructor(db: Kysely<Database>) {
    this.repo = new AuditRepository(db);
  }

  async list(
    actor: Actor,
    filter: AuditFilter,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<AuditEventRow>> {
    if (!can(actor, 'audit:read')) throw forbidden();
    const after = page.cursor ? decodeCursor(page.cursor, cursorShape) : null;
    const rows = await this.repo.list(filter, page.limit, after);
    return toPage(rows, page.limit, (row) => [row.sort_at, Number(row.id)]);
  }
}
