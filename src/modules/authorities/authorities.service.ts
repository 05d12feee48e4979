import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, conflict, forbidden, notFound } from '../../platform/errors.ts';
import type { Snapshots } from '../../platform/snapshot.ts';
import type { Logger } from '../../platform/logger.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { auditRole } from '../audit/acting-role.ts';
import { checkRow, parseImportFile, type RowError } from './authorities.csv.ts';
import {
  AuthoritiesRepository,
  isUuid,
  type AuthorityRow,
  type DirectoryFilters,
  type OfficerRow,
  type StagedImportRow,
} from './authorities.repository.ts';
import type { AuthorityInput, DirectoryQuery, HeadOfServiceInput, OfficerInput } from './authorities.schemas.ts';
import {
  KIND_NAMES,
  SERVICE_AREAS,
  SERVICE_AREA_NAMES,
  decodeDirectoryCursor,
  encodeDirectoryCursor,
  isAuthorityKind,
  isServiceArea,
  searchQuery,
  type AuthorityKind,
  type OfficerRole,
  type Region,
  type ServiceArea,
} from './domain.ts';

export interface Authority {
  id: string;
  name: string;
  kind: AuthorityKind;
  kindName: string;
  reference: string | null;
  address: string | null;
  region: string | null;
  genericInbox: string | null;
  /** Since when mail to the generic inbox bounces, with the delivery status; null when it does not. */
  genericInboxBouncing: Bouncing | null;
  active: boolean;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An authority offered by a form's authority field, with what tells it from others of a like name. */
export interface AuthorityChoice {
  id: string;
  name: string;
  /** Its kind, and its reference when it has one. */
  description: string;
}

export interface AuthorityPicker {
  /** The words searched for, as typed. */
  search: string;
  choices: AuthorityChoice[];
  /** More authorities match than are offered: the search needs more of the name. */
  more: boolean;
}

const toChoice = (a: { id: string; name: string; kind: string; reference: string | null }): AuthorityChoice => ({
  id: a.id,
  name: a.name,
  description: [KIND_NAMES[asKind(a.kind)], a.reference].filter(Boolean).join(', '),
});

/** A permanent delivery failure recorded on an address, until the address changes. */
export interface Bouncing {
  since: Date;
  /** The enhanced status code of the failure, e.g. 5.1.1. */
  status: string | null;
}

export interface SeniorOfficer {
  id: string;
  authorityId: string;
  role: OfficerRole;
  serviceArea: ServiceArea | null;
  serviceAreaName: string | null;
  title: string | null;
  name: string;
  jobTitle: string;
  email: string;
  /** Since when mail to this officer bounces; null when it does not. */
  bouncing: Bouncing | null;
}

export interface AuthorityDetail extends Authority {
  /** The addressee of every letter. Always present for an authority made through this service. */
  chiefExecutive: SeniorOfficer | null;
  monitoringOfficer: SeniorOfficer | null;
  leader: SeniorOfficer | null;
  scrutinyChair: SeniorOfficer | null;
  headsOfService: SeniorOfficer[];
}

/**
 * A change to an authority through the API: only the fields given change. Null clears an optional
 * field (`monitoringOfficer: null` removes the monitoring officer).
 */
export interface AuthorityChanges {
  name?: string;
  kind?: AuthorityKind;
  reference?: string | null;
  address?: string | null;
  region?: Region | null;
  genericInbox?: string | null;
  chiefExecutive?: OfficerInput;
  monitoringOfficer?: OfficerInput | null;
  leader?: OfficerInput | null;
  scrutinyChair?: OfficerInput | null;
  /** The whole set of heads of service: a service area left out loses its head. */
  headsOfService?: HeadOfServiceInput[];
  /** False closes the authority; true reopens it. */
  active?: boolean;
}

export interface DirectoryEntry {
  id: string;
  name: string;
  kind: AuthorityKind;
  kindName: string;
  reference: string | null;
  region: string | null;
  active: boolean;
}

export interface DirectoryPage {
  items: DirectoryEntry[];
  /** How many authorities match the search and filters, across all pages. */
  count: number;
  nextCursor: string | null;
  previousCursor: string | null;
}

export type ImportStatus = 'checking' | 'saving' | 'succeeded' | 'failed';

export interface ImportProgress {
  id: string;
  fileName: string;
  status: ImportStatus;
  totalRows: number;
  processedRows: number;
  /** Whole percent of the rows checked; 100 once saving starts. */
  percent: number;
  createdCount: number;
  updatedCount: number;
  errors: RowError[];
  failure: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface AuthoritiesSettings {
  /** Authorities per page of the directory. */
  pageSize: number;
  /** Rows checked and staged per step of an import (progress is recorded after each). */
  importBatchSize: number;
  logger?: Logger;
  /** Shares the number of matches of a search among requests for a few seconds (it changes rarely). */
  snapshots?: Snapshots;
  /** Where the directory search reads: a replica a few seconds behind at most (`Db.replica`); else `db`. */
  searchDb?: Kysely<Database>;
}

const DEFAULT_SETTINGS: AuthoritiesSettings = { pageSize: 50, importBatchSize: 500 };
/** At most this many row errors are kept and shown for a rejected file. */
export const MAX_ROW_ERRORS = 500;
/** An import not heard from for this long stopped with its process; nothing of it was saved. */
const STALLED_AFTER_MS = 15 * 60_000;
const EXPORT_BATCH = 1000;

/** The ombudsman's directory record of an authority: what the authority may not change about itself. */
const DIRECTORY_FIELDS = {
  name: 'The authority’s name is recorded by the ombudsman: ask the relationship lead to change it',
  kind: 'The kind of authority is recorded by the ombudsman: ask the relationship lead to change it',
  reference: 'The authority’s reference is recorded by the ombudsman: ask the relationship lead to change it',
  region: 'The authority’s region is recorded by the ombudsman: ask the relationship lead to change it',
  active: 'Only the ombudsman closes or reopens an authority',
} as const;
const isDirectoryField = (field: string): field is keyof typeof DIRECTORY_FIELDS =>
  Object.hasOwn(DIRECTORY_FIELDS, field);

/**
 * The authority directory: authorities, their generic inbox and senior officers, search, CSV
 * import and export. Staff read the directory; relationship leads and administrators change it.
 * Authority users and tokens read their own authority only: any other is "not found". Its link
 * officer or senior officer may change its contacts, never the ombudsman's record of it.
 */
export class AuthoritiesService {
  private readonly repo: AuthoritiesRepository;
  /** The directory search's reads, which may be a few seconds old. */
  private readonly searchRepo: AuthoritiesRepository;
  private readonly settings: AuthoritiesSettings;
  /** Imports running in this process, so tests and shutdown can wait for them. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    settings: Partial<AuthoritiesSettings> = {},
  ) {
    this.repo = new AuthoritiesRepository(db);
    this.searchRepo = new AuthoritiesRepository(settings.searchDb ?? db);
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  // Reading.

  /** Throws not-found unless the actor may read this authority (staff: any; authority users: their own). */
  private assertMayRead(actor: Actor, authorityId: string): void {
    if (actor.authorityId !== null) {
      if (actor.authorityId !== authorityId) throw notFound('The authority');
      return;
    }
    if (!can(actor, 'authorities:read')) throw forbidden();
  }

  private assertMay(actor: Actor, permission: 'authorities:manage' | 'authorities:import'): void {
    if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
  }

  /**
   * Throws unless the actor may make a change to the authority that gives these fields (names as in
   * AuthorityChanges). Staff who manage the directory change any authority. An authority's own link
   * officer or senior officer changes its contacts (address, generic inbox, senior officers), never
   * the ombudsman's directory record (name, kind, reference, region, open or closed): those fields
   * are refused by name. Any other authority is not found for an authority's users and tokens.
   */
  assertMayChange(actor: Actor, authorityId: string, fields: readonly string[]): void {
    if (actor.authorityId === null) {
      this.assertMay(actor, 'authorities:manage');
      return;
    }
    if (actor.authorityId !== authorityId) throw notFound('The authority');
    if (!actor.roles.some((r) => r === 'link-officer' || r === 'senior-officer'))
      throw forbidden('Only the authority’s link officer or a senior officer may change its contacts');
    const refused = fields.filter(isDirectoryField);
    if (refused.length > 0) {
      throw new DomainError(
        'forbidden',
        `An authority may change its address, generic inbox and senior officers, not ${refused.join(', ')}: ` +
          'ask the ombudsman’s relationship lead',
        refused.map((field) => ({ field, message: DIRECTORY_FIELDS[field] })),
      );
    }
  }

  /** The authority, without its officers; not-found when absent or not the actor's to read. */
  async requireAuthority(actor: Actor, id: string): Promise<Authority> {
    this.assertMayRead(actor, id);
    const row = await this.repo.findById(id);
    if (!row) throw notFound('The authority');
    return toAuthority(row);
  }

  /** The authority with its chief executive, monitoring officer and heads of service. */
  async getAuthority(actor: Actor, id: string): Promise<AuthorityDetail> {
    const authority = await this.requireAuthority(actor, id);
    return withOfficers(authority, await this.repo.officers(id));
  }

  /** The authority's senior officers: chief executive, monitoring officer, then heads of service by area. */
  async listSeniorOfficers(actor: Actor, authorityId: string): Promise<SeniorOfficer[]> {
    await this.requireAuthority(actor, authorityId);
    return sortOfficers((await this.repo.officers(authorityId)).map(toOfficer));
  }

  /**
   * For other services and jobs that have already authorised their own action (e.g. addressing a
   * letter): the authority and its officers, or undefined.
   */
  async findAuthority(id: string): Promise<AuthorityDetail | undefined> {
    const row = await this.repo.findById(id);
    return row ? withOfficers(toAuthority(row), await this.repo.officers(id)) : undefined;
  }

  private filtersFor(actor: Actor, query: DirectoryQuery): DirectoryFilters {
    if (actor.authorityId === null && !can(actor, 'authorities:read')) throw forbidden();
    return {
      words: searchQuery(query.q),
      kind: query.kind,
      region: query.region,
      status: query.status,
      onlyAuthorityId: actor.authorityId,
    };
  }

  /** A page of the directory, in name order, with the number of matches. */
  async search(actor: Actor, query: DirectoryQuery): Promise<DirectoryPage> {
    const filters = this.filtersFor(actor, query);
    const cursor = decodeDirectoryCursor(query.cursor);
    const limit = this.settings.pageSize;
    const count = () => this.searchRepo.count(filters);
    const [rows, matches] = await Promise.all([
      this.searchRepo.page(filters, cursor, limit),
      this.settings.snapshots
        ? this.settings.snapshots.get(`authorities.count:${JSON.stringify(filters)}`, count)
        : count(),
    ]);
    const more = rows.length > limit;
    const shown = rows.slice(0, limit);
    if (cursor?.direction === 'previous') shown.reverse();
    const first = shown[0];
    const last = shown[shown.length - 1];
    const hasNext = cursor?.direction === 'previous' ? true : more;
    const hasPrevious = cursor?.direction === 'previous' ? more : cursor !== null;
    return {
      items: shown.map((r) => ({
        id: r.id,
        name: r.name,
        kind: asKind(r.kind),
        kindName: KIND_NAMES[asKind(r.kind)],
        reference: r.reference,
        region: r.region,
        active: r.active,
      })),
      count: matches,
      nextCursor:
        hasNext && last ? encodeDirectoryCursor({ direction: 'next', name: last.sort_name, id: last.id }) : null,
      previousCursor:
        hasPrevious && first
          ? encodeDirectoryCursor({ direction: 'previous', name: first.sort_name, id: first.id })
          : null,
    };
  }

  /**
   * What a form's authority field offers (an invitation, an API token, the public change of link
   * officer form): the open authorities whose name or reference starts with the words typed, at most
   * `limit` in name order, with `more` when others match too; and the authority already chosen,
   * first, when the search does not find it. A directory of 30,000 is searched, never listed whole.
   * Open authorities' names, kinds and references are public, so anyone may search them.
   */
  async picker(search: string, chosenId: string | null, limit = 20): Promise<AuthorityPicker> {
    const words = searchQuery(search);
    const rows = words ? await this.repo.page({ words, status: 'active' }, null, limit) : [];
    const choices = rows.slice(0, limit).map(toChoice);
    if (chosenId && isUuid(chosenId) && !choices.some((c) => c.id === chosenId)) {
      const chosen = await this.repo.findById(chosenId);
      if (chosen?.active) choices.unshift(toChoice(chosen));
    }
    return { search, choices, more: rows.length > limit };
  }

  /** The directory as filtered, with each authority's senior officers, in batches for a streamed CSV export. */
  async *exportRows(actor: Actor, query: DirectoryQuery): AsyncGenerator<AuthorityDetail[]> {
    const filters = this.filtersFor(actor, query);
    let after: { name: string; id: string } | null = null;
    for (;;) {
      const batch = await this.repo.exportBatch(filters, after, EXPORT_BATCH);
      if (batch.length === 0) return;
      const officers = new Map<string, OfficerRow[]>();
      for (const o of await this.repo.officersOf(batch.map((r) => r.id))) {
        const held = officers.get(o.authority_id);
        if (held) held.push(o);
        else officers.set(o.authority_id, [o]);
      }
      yield batch.map((r) => withOfficers(toAuthority(r), officers.get(r.id) ?? []));
      const last = batch[batch.length - 1];
      if (!last || batch.length < EXPORT_BATCH) return;
      after = { name: last.sort_name, id: last.id };
    }
  }

  // Changing.

  private async assertReferenceFree(repo: AuthoritiesRepository, reference: string | null, self: string | null) {
    if (!reference) return;
    const holder = await repo.findByReference(reference);
    if (holder && holder.id !== self) {
      throw conflict('Another authority has that reference', [
        { field: 'reference', message: 'Another authority already has that reference' },
      ]);
    }
  }

  /** Adds an authority with its chief executive (required), monitoring officer and heads of service. */
  async create(actor: Actor, input: AuthorityInput, headsOfService: HeadOfServiceInput[] = []): Promise<string> {
    this.assertMay(actor, 'authorities:manage');
    assertOneHeadPerArea(headsOfService);
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      await this.assertReferenceFree(repo, input.reference, null);
      const id = await repo.insertAuthority({
        name: input.name,
        kind: input.kind,
        reference: input.reference,
        address: input.address,
        region: input.region,
        generic_inbox: input.genericInbox,
        created_at: now,
        updated_at: now,
      });
      await this.audit(trx, actor, 'authority.created', 'authority', id, id);
      await this.putOfficer(trx, actor, id, 'chief-executive', null, input.chiefExecutive, now);
      if (input.monitoringOfficer)
        await this.putOfficer(trx, actor, id, 'monitoring-officer', null, input.monitoringOfficer, now);
      if (input.leader) await this.putOfficer(trx, actor, id, 'leader', null, input.leader, now);
      if (input.scrutinyChair) await this.putOfficer(trx, actor, id, 'scrutiny-chair', null, input.scrutinyChair, now);
      for (const h of headsOfService) await this.putOfficer(trx, actor, id, 'head-of-service', h.serviceArea, h, now);
      return id;
    });
  }

  /** Changes an authority's details, chief executive and monitoring officer (null removes it). */
  async update(actor: Actor, id: string, input: AuthorityInput): Promise<void> {
    await this.change(actor, id, input);
  }

  /**
   * Changes what is given of an authority, in one transaction: its details, senior officers (heads
   * of service as a whole set) and whether it is open. Each real change writes its audit row; a
   * field given with the value held changes nothing.
   */
  async change(actor: Actor, id: string, changes: AuthorityChanges): Promise<void> {
    this.assertMayChange(
      actor,
      id,
      Object.keys(changes).filter((key) => changes[key as keyof AuthorityChanges] !== undefined),
    );
    if (changes.headsOfService) assertOneHeadPerArea(changes.headsOfService);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.findById(id);
      if (!row) throw notFound('The authority');
      if (changes.reference !== undefined) await this.assertReferenceFree(repo, changes.reference, id);
      const given = {
        name: changes.name,
        kind: changes.kind,
        reference: changes.reference,
        address: changes.address,
        region: changes.region,
        generic_inbox: changes.genericInbox,
      };
      const details = Object.fromEntries(
        Object.entries(given).filter(([key, value]) => value !== undefined && row[key as keyof typeof given] !== value),
      ) as Partial<typeof given>;
      if (Object.keys(details).length > 0) {
        await repo.updateAuthority(id, { ...details, updated_at: now });
        await this.audit(trx, actor, 'authority.updated', 'authority', id, id);
      }
      if (changes.chiefExecutive)
        await this.putOfficer(trx, actor, id, 'chief-executive', null, changes.chiefExecutive, now);
      if (changes.monitoringOfficer)
        await this.putOfficer(trx, actor, id, 'monitoring-officer', null, changes.monitoringOfficer, now);
      else if (changes.monitoringOfficer === null) await this.removeOfficer(trx, actor, id, 'monitoring-officer', null);
      for (const [role, officer] of [
        ['leader', changes.leader],
        ['scrutiny-chair', changes.scrutinyChair],
      ] as const) {
        if (officer) await this.putOfficer(trx, actor, id, role, null, officer, now);
        else if (officer === null) await this.removeOfficer(trx, actor, id, role, null);
      }
      if (changes.headsOfService) {
        const kept = new Set<string>(changes.headsOfService.map((h) => h.serviceArea));
        for (const o of await repo.officers(id))
          if (
            o.role === 'head-of-service' &&
            o.service_area &&
            isServiceArea(o.service_area) &&
            !kept.has(o.service_area)
          )
            await this.removeOfficer(trx, actor, id, 'head-of-service', o.service_area);
        for (const h of changes.headsOfService)
          await this.putOfficer(trx, actor, id, 'head-of-service', h.serviceArea, h, now);
      }
      if (changes.active !== undefined) await this.putClosed(trx, actor, row, !changes.active, now);
    });
  }

  /** Closes (the authority no longer exists or is no longer in jurisdiction) or reopens an authority. */
  async setClosed(actor: Actor, id: string, closed: boolean): Promise<void> {
    this.assertMay(actor, 'authorities:manage');
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const row = await this.repo.with(trx).findById(id);
      if (!row) throw notFound('The authority');
      await this.putClosed(trx, actor, row, closed, now);
    });
  }

  private async putClosed(trx: Kysely<Database>, actor: Actor, row: AuthorityRow, closed: boolean, now: Date) {
    if (row.active !== closed) return; // already as asked
    await this.repo
      .with(trx)
      .updateAuthority(row.id, { active: !closed, closed_at: closed ? now : null, updated_at: now });
    await this.audit(trx, actor, closed ? 'authority.closed' : 'authority.reopened', 'authority', row.id, row.id);
  }

  /**
   * Records the head of service for one area. `adding` refuses an area that already has one (the
   * add form); otherwise the area's head is replaced or set. Staff who manage the directory, or the
   * authority's own link officer or senior officer.
   */
  async setHeadOfService(actor: Actor, id: string, input: HeadOfServiceInput, adding: boolean): Promise<void> {
    this.assertMayChange(actor, id, ['headsOfService']);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      if (!(await repo.findById(id))) throw notFound('The authority');
      if (adding && (await repo.findOfficer(id, 'head-of-service', input.serviceArea))) {
        const message = `There is already a head of service for ${SERVICE_AREA_NAMES[input.serviceArea].toLowerCase()}: change that one instead`;
        throw conflict(message, [{ field: 'serviceArea', message }]);
      }
      await this.putOfficer(trx, actor, id, 'head-of-service', input.serviceArea, input, now);
    });
  }

  async removeHeadOfService(actor: Actor, id: string, serviceArea: string): Promise<void> {
    this.assertMayChange(actor, id, ['headsOfService']);
    if (!isServiceArea(serviceArea)) throw notFound('The head of service');
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.repo.with(trx).findById(id))) throw notFound('The authority');
      const removed = await this.removeOfficer(trx, actor, id, 'head-of-service', serviceArea);
      if (!removed) throw notFound('The head of service');
    });
  }

  private async putOfficer(
    trx: Kysely<Database>,
    actor: Actor,
    authorityId: string,
    role: OfficerRole,
    serviceArea: ServiceArea | null,
    input: OfficerInput,
    now: Date,
  ): Promise<void> {
    const repo = this.repo.with(trx);
    const existing = await repo.findOfficer(authorityId, role, serviceArea);
    const values = { title: input.title ?? null, name: input.name, job_title: input.jobTitle, email: input.email };
    if (!existing) {
      const officerId = await repo.insertOfficer({
        authority_id: authorityId,
        role,
        service_area: serviceArea,
        ...values,
        created_at: now,
        updated_at: now,
      });
      await this.audit(trx, actor, 'senior-officer.added', 'senior-officer', officerId, authorityId);
      return;
    }
    const same =
      existing.title === values.title &&
      existing.name === values.name &&
      existing.job_title === values.job_title &&
      existing.email === values.email;
    if (same) return;
    await repo.updateOfficer(existing.id, { ...values, updated_at: now });
    await this.audit(trx, actor, 'senior-officer.changed', 'senior-officer', existing.id, authorityId);
  }

  private async removeOfficer(
    trx: Kysely<Database>,
    actor: Actor,
    authorityId: string,
    role: OfficerRole,
    serviceArea: ServiceArea | null,
  ): Promise<boolean> {
    const repo = this.repo.with(trx);
    const existing = await repo.findOfficer(authorityId, role, serviceArea);
    if (!existing) return false;
    await repo.deleteOfficer(existing.id);
    await this.audit(trx, actor, 'senior-officer.removed', 'senior-officer', existing.id, authorityId);
    return true;
  }

  private audit(
    trx: Kysely<Database>,
    actor: Actor,
    action: string,
    recordType: string,
    recordId: string,
    authorityId: string | null,
  ) {
    return writeAudit(trx, {
      actor: auditActor(actor),
      action,
      recordType,
      recordId,
      authorityId,
      requestId: actor.requestId ?? null,
    });
  }

  // Importing.

  /**
   * Starts importing a CSV file. File-level problems (encoding, header, no rows) are refused at
   * once as validation errors on `file`. Otherwise the import is recorded and runs in the
   * background: every row is checked (progress recorded as it goes), then either every row is
   * saved in one transaction or, if any row has a problem, nothing is. Returns the import's id.
   */
  async startImport(actor: Actor, fileName: string, bytes: Uint8Array): Promise<string> {
    this.assertMay(actor, 'authorities:import');
    const parsed = parseImportFile(bytes);
    if ('errors' in parsed) throw new DomainError('validation', 'The selected file cannot be imported', parsed.errors);
    const now = this.clock.now();
    const id = await this.db.transaction().execute(async (trx) => {
      const importId = await this.repo.with(trx).insertImport({
        created_by: actor.type === 'user' ? actor.id : null,
        file_name: fileName.slice(0, 200) || 'upload.csv',
        total_rows: parsed.rows.length,
        created_at: now,
        updated_at: now,
      });
      await this.audit(trx, actor, 'authority-import.started', 'authority-import', importId, null);
      return importId;
    });
    const task = this.runImport(id, actor, parsed.rows)
      .catch(async (error: unknown) => {
        this.settings.logger?.error({ err: error, importId: id }, 'authority import failed');
        await this.repo
          .updateImport(id, {
            status: 'failed',
            failure: 'The import could not be saved. Nothing was changed. Try again.',
            finished_at: this.clock.now(),
            updated_at: this.clock.now(),
          })
          .catch(() => undefined);
        await this.repo.deleteImportRows(id).catch(() => undefined);
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, task);
    return id;
  }

  /** Resolves when an import started by this process has finished (at once for any other). */
  async importFinished(id: string): Promise<void> {
    await this.running.get(id);
  }

  /** Resolves when every import running in this process has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  private async runImport(id: string, actor: Actor, rows: { row: number; values: Record<string, string> }[]) {
    const errors: RowError[] = [];
    const references = new Map<string, number>();
    const batchSize = this.settings.importBatchSize;
    for (let start = 0; start < rows.length; start += batchSize) {
      const staged: StagedImportRow[] = [];
      for (const { row, values } of rows.slice(start, start + batchSize)) {
        const checked = checkRow(values, row);
        if ('errors' in checked) {
          errors.push(...checked.errors);
          continue;
        }
        const key = checked.row.reference.toLowerCase();
        const earlier = references.get(key);
        if (earlier !== undefined) {
          errors.push({ row, column: 'reference', message: `The same reference is on row ${earlier}` });
          continue;
        }
        references.set(key, row);
        staged.push({ import_id: id, row_number: row, ...checked.row });
      }
      // Rows are staged only while the file is still clean: one bad row means nothing is saved.
      if (errors.length === 0) await this.repo.insertImportRows(staged);
      await this.repo.updateImport(id, {
        processed_rows: Math.min(start + batchSize, rows.length),
        updated_at: this.clock.now(),
      });
    }

    if (errors.length > 0) {
      await this.db.transaction().execute(async (trx) => {
        const repo = this.repo.with(trx);
        await repo.deleteImportRows(id);
        await repo.updateImport(id, {
          status: 'failed',
          errors: JSON.stringify(errors.slice(0, MAX_ROW_ERRORS)),
          failure: `${errors.length.toLocaleString('en-GB')} problem${errors.length === 1 ? '' : 's'} in the file. Nothing was imported.`,
          finished_at: this.clock.now(),
          updated_at: this.clock.now(),
        });
        await this.audit(trx, actor, 'authority-import.rejected', 'authority-import', id, null);
      });
      return;
    }

    await this.repo.updateImport(id, { status: 'saving', updated_at: this.clock.now() });
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const now = this.clock.now();
      // The rows it writes in one statement record the importer in the role that let them import.
      const by = { ...auditActor(actor), role: auditRole('authority-import.applied', actor.roles) };
      const { created, changed } = await repo.mergeImport(id, now, by, actor.requestId ?? null);
      await repo.deleteImportRows(id);
      await repo.updateImport(id, {
        status: 'succeeded',
        created_count: created.size,
        updated_count: changed.size,
        finished_at: now,
        updated_at: now,
      });
      await this.audit(trx, actor, 'authority-import.applied', 'authority-import', id, null);
    });
  }

  async getImport(actor: Actor, id: string): Promise<ImportProgress> {
    this.assertMay(actor, 'authorities:import');
    const row = await this.repo.findImport(id);
    if (!row) throw notFound('The import');
    return toProgress(row, this.clock.now());
  }

  async recentImports(actor: Actor, limit = 5): Promise<ImportProgress[]> {
    this.assertMay(actor, 'authorities:import');
    const now = this.clock.now();
    return (await this.repo.recentImports(limit)).map((r) => toProgress(r, now));
  }
}

type ImportRecord = NonNullable<Awaited<ReturnType<AuthoritiesRepository['findImport']>>>;

function toProgress(row: ImportRecord, now: Date): ImportProgress {
  const finished = row.status === 'succeeded' || row.status === 'failed';
  const stalled = !finished && now.getTime() - row.updated_at.getTime() > STALLED_AFTER_MS;
  const percent =
    row.status === 'checking'
      ? Math.floor((row.processed_rows / Math.max(row.total_rows, 1)) * 100)
      : row.status === 'saving' || row.status === 'succeeded'
        ? 100
        : Math.floor((row.processed_rows / Math.max(row.total_rows, 1)) * 100);
  return {
    id: row.id,
    fileName: row.file_name,
    status: stalled ? 'failed' : row.status,
    totalRows: row.total_rows,
    processedRows: row.processed_rows,
    percent,
    createdCount: row.created_count,
    updatedCount: row.updated_count,
    errors: row.errors,
    failure: stalled ? 'The import stopped before it finished. Nothing was changed. Try again.' : row.failure,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

const asKind = (kind: string): AuthorityKind => (isAuthorityKind(kind) ? kind : 'other-public-body');

function toAuthority(row: AuthorityRow): Authority {
  const kind = asKind(row.kind);
  return {
    id: row.id,
    name: row.name,
    kind,
    kindName: KIND_NAMES[kind],
    reference: row.reference,
    address: row.address,
    region: row.region,
    genericInbox: row.generic_inbox,
    genericInboxBouncing: row.generic_inbox_failing_since
      ? { since: row.generic_inbox_failing_since, status: row.generic_inbox_bounce_status }
      : null,
    active: row.active,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toOfficer(row: OfficerRow): SeniorOfficer {
  const area = row.service_area !== null && isServiceArea(row.service_area) ? row.service_area : null;
  return {
    id: row.id,
    authorityId: row.authority_id,
    role: row.role,
    serviceArea: area,
    serviceAreaName: area ? SERVICE_AREA_NAMES[area] : null,
    title: row.title,
    name: row.name,
    jobTitle: row.job_title,
    email: row.email,
    bouncing: row.failing_since ? { since: row.failing_since, status: row.bounce_status } : null,
  };
}

const ROLE_ORDER: Record<OfficerRole, number> = {
  'chief-executive': 0,
  'monitoring-officer': 1,
  leader: 2,
  'scrutiny-chair': 3,
  'head-of-service': 4,
};

function sortOfficers(officers: SeniorOfficer[]): SeniorOfficer[] {
  return officers.sort(
    (a, b) =>
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
      SERVICE_AREAS.indexOf(a.serviceArea ?? 'adult-social-care') -
        SERVICE_AREAS.indexOf(b.serviceArea ?? 'adult-social-care'),
  );
}

function withOfficers(authority: Authority, rows: OfficerRow[]): AuthorityDetail {
  const officers = sortOfficers(rows.map(toOfficer));
  return {
    ...authority,
    chiefExecutive: officers.find((o) => o.role === 'chief-executive') ?? null,
    monitoringOfficer: officers.find((o) => o.role === 'monitoring-officer') ?? null,
    leader: officers.find((o) => o.role === 'leader') ?? null,
    scrutinyChair: officers.find((o) => o.role === 'scrutiny-chair') ?? null,
    headsOfService: officers.filter((o) => o.role === 'head-of-service'),
  };
}

/** A service area has at most one head of service. */
function assertOneHeadPerArea(heads: HeadOfServiceInput[]): void {
  const areas = heads.map((h) => h.serviceArea);
  if (new Set(areas).size !== areas.length) {
    throw new DomainError('validation', 'Each service area can have one head of service', [
      { field: 'headsOfService', message: 'Each service area can have one head of service' },
    ]);
  }
}
