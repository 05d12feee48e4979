import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../platform/db/schema.ts';
import { forbidden } from '../../platform/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { can, type Actor } from './domain.ts';
import { UserDirectoryRepository, type UserDirectoryRow } from './user-directory.repository.ts';

const cursorShape = z.tuple([z.string(), z.uuid()]);

/** Lists users for administrators' systems through the API. */
export class UserDirectoryService {
  private readonly repo: UserDirectoryRepository;

  constructor(db: Kysely<Database>) {
    this.repo = new UserDirectoryRepository(db);
  }

  async list(actor: Actor, page: { cursor?: string | undefined; limit: number }): Promise<Page<UserDirectoryRow>> {
    if (!can(actor, 'users:manage')) throw forbidden();
    const after = page.cursor ? decodeCursor(page.cursor, cursorShape) : null;
    const rows = await this.repo.list(page.limit, after);
    return toPage(rows, page.limit, (row) => [row.sort_name, row.id]);
  }
}
