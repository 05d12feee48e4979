import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Actor } from '../accounts/domain.ts';
import type { AuthorityInput, DirectoryQuery, HeadOfServiceInput } from './authorities.schemas.ts';
import * as changes from './changes.ts';
import { assertMayChange, authoritiesContext, type AuthoritiesContext, type AuthoritiesSettings } from './context.ts';
import * as directory from './directory.ts';
import * as imports from './imports.ts';
import type { AuthorityChanges } from './records.ts';

export type { AuthoritiesSettings } from './context.ts';
export { MAX_ROW_ERRORS, type ImportProgress, type ImportStatus } from './imports.ts';
export type {
  Authority,
  AuthorityChanges,
  AuthorityChoice,
  AuthorityDetail,
  AuthorityPicker,
  Bouncing,
  DirectoryEntry,
  DirectoryPage,
  SeniorOfficer,
} from './records.ts';

/**
 * The authority directory: authorities, their generic inbox and senior officers, search, CSV
 * import and export. Staff read the directory; relationship leads and administrators change it.
 * Authority users and tokens read their own authority only: any other is "not found". Its link
 * officer or senior officer may change its contacts, never the ombudsman's record of it.
 * Each group of use cases is in its own file; this class is their one door.
 */
export class AuthoritiesService {
  private readonly ctx: AuthoritiesContext;

  constructor(db: Kysely<Database>, clock: Clock, settings: Partial<AuthoritiesSettings> = {}) {
    this.ctx = authoritiesContext(db, clock, settings);
  }

  /**
   * Throws unless the actor may make a change to the authority that gives these fields (names as in
   * AuthorityChanges): staff who manage the directory, or the authority's own link officer or senior
   * officer for its contacts only.
   */
  assertMayChange = (actor: Actor, authorityId: string, fields: readonly string[]) =>
    assertMayChange(actor, authorityId, fields);

  // Reading the directory.
  requireAuthority = (actor: Actor, id: string) => directory.requireAuthority(this.ctx, actor, id);
  getAuthority = (actor: Actor, id: string) => directory.getAuthority(this.ctx, actor, id);
  listSeniorOfficers = (actor: Actor, authorityId: string) =>
    directory.listSeniorOfficers(this.ctx, actor, authorityId);
  findAuthority = (id: string) => directory.findAuthority(this.ctx, id);
  search = (actor: Actor, query: DirectoryQuery) => directory.search(this.ctx, actor, query);
  picker = (search: string, chosenId: string | null, limit = 20) => directory.picker(this.ctx, search, chosenId, limit);
  exportRows = (actor: Actor, query: DirectoryQuery) => directory.exportRows(this.ctx, actor, query);

  // Changing the directory.
  create = (actor: Actor, input: AuthorityInput, headsOfService: HeadOfServiceInput[] = []) =>
    changes.create(this.ctx, actor, input, headsOfService);
  /** Changes an authority's details, chief executive and monitoring officer (null removes it). */
  update = (actor: Actor, id: string, input: AuthorityInput) => changes.change(this.ctx, actor, id, input);
  change = (actor: Actor, id: string, given: AuthorityChanges) => changes.change(this.ctx, actor, id, given);
  setClosed = (actor: Actor, id: string, closed: boolean) => changes.setClosed(this.ctx, actor, id, closed);
  setHeadOfService = (actor: Actor, id: string, input: HeadOfServiceInput, adding: boolean) =>
    changes.setHeadOfService(this.ctx, actor, id, input, adding);
  removeHeadOfService = (actor: Actor, id: string, serviceArea: string) =>
    changes.removeHeadOfService(this.ctx, actor, id, serviceArea);

  // Importing.
  startImport = (actor: Actor, fileName: string, bytes: Uint8Array) =>
    imports.startImport(this.ctx, actor, fileName, bytes);
  getImport = (actor: Actor, id: string) => imports.getImport(this.ctx, actor, id);
  recentImports = (actor: Actor, limit = 5) => imports.recentImports(this.ctx, actor, limit);

  /** Resolves when an import started by this process has finished (at once for any other). */
  async importFinished(id: string): Promise<void> {
    await this.ctx.running.get(id);
  }

  /** Resolves when every import running in this process has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.ctx.running.values()]);
  }
}
