import { planEachRun } from '../../platform/db/prepared.ts';
import { reusableQuery } from '../../platform/db/reusable.ts';
import { sql, type RawBuilder } from 'kysely';
import type { AuditActor } from '../../platform/audit/audit.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { NewRow, Row } from '../../platform/db/schema.ts';
import type { ImportRow } from './authorities.csv.ts';
import type { DirectoryCursor } from './domain.ts';

export interface DirectoryFilters {
  /** A prefix query made by searchQuery(), or null for no text search. */
  words: string | null;
  kind?: string | undefined;
  region?: string | undefined;
  status?: 'active' | 'closed' | undefined;
  /** Only this authority (an authority user or token reads its own). */
  onlyAuthorityId?: string | null;
}

export interface DirectoryRow {
  id: string;
  name: string;
  kind: string;
  reference: string | null;
  region: string | null;
  active: boolean;
  sort_name: string;
}

export type AuthorityRow = Omit<Row<'authorities'>, 'search_words' | 'sort_name'>;
export type OfficerRow = Row<'senior_officers'>;
export type ExportRow = AuthorityRow & { sort_name: string };

/** A checked row waiting in the staging table while its import runs. */
export type StagedImportRow = ImportRow & { import_id: string; row_number: number };

const AUTHORITY_COLUMNS = [
  'a.id',
  'a.name',
  'a.kind',
  'a.reference',
  'a.address',
  'a.region',
  'a.generic_inbox',
  'a.generic_inbox_failing_since',
  'a.generic_inbox_bounce_status',
  'a.active',
  'a.closed_at',
  'a.created_at',
  'a.updated_at',
] as const;

/** The authorities that pass the directory's filters. */
function filteredAuthorities(db: DbOrTx, f: DirectoryFilters) {
  let q = db.selectFrom('authorities as a');
  if (f.words) q = q.where(sql<boolean>`a.search_words @@ to_tsquery('simple', ${f.words})`);
  if (f.kind) q = q.where('a.kind', '=', f.kind);
  if (f.region) q = q.where('a.region', '=', f.region);
  if (f.status === 'active') q = q.where('a.active', '=', true);
  if (f.status === 'closed') q = q.where('a.active', '=', false);
  if (f.onlyAuthorityId) q = q.where('a.id', '=', f.onlyAuthorityId);
  return q;
}

type DirectoryValues = {
  words: string;
  kind: string;
  region: string;
  onlyAuthorityId: string;
  cursorName: string;
  cursorId: string;
};

/** The directory's page query, compiled once per shape (which filters apply, the cursor's direction, the limit). */
const DIRECTORY_PAGE = reusableQuery<DirectoryValues>()((db, slot, shape) => {
  const [words, kind, region, status, only, direction, limit] = shape.split(' ');
  const q = filteredAuthorities(db, {
    words: words ? slot('words') : null,
    kind: kind ? slot('kind') : undefined,
    region: region ? slot('region') : undefined,
    status: status === 'active' || status === 'closed' ? status : undefined,
    onlyAuthorityId: only ? slot('onlyAuthorityId') : null,
  });
  let page = q.select(['a.id', 'a.name', 'a.kind', 'a.reference', 'a.region', 'a.active', 'a.sort_name']);
  const backwards = direction === 'previous';
  if (direction) {
    const at = sql`(${slot('cursorName')}, ${slot('cursorId')}::uuid)`;
    page = backwards
      ? page.where(sql<boolean>`(a.sort_name, a.id) < ${at}`)
      : page.where(sql<boolean>`(a.sort_name, a.id) > ${at}`);
  }
  const dir = backwards ? sql`desc` : sql`asc`;
  // With search words, the matches come from the word index and are then sorted: ordered by a copy
  // of the name, not the name itself, so the planner does not walk the whole name index in order
  // hoping to meet the (often few) matches early. The order is the same.
  const order = words ? sql`a.sort_name || ''` : sql`a.sort_name`;
  page = page
    .orderBy(sql`${order} ${dir}`)
    .orderBy(sql`a.id ${dir}`)
    .limit(Number(limit));
  // One plan serves every value of the other shapes: the matches of the words (from the word index,
  // then sorted), or a walk of the index in the list's order (name; kind or region, then name).
  // Words with a kind or region are planned for their values: the plan kept for them would read a
  // whole kind from its index (29,600 care providers) to combine it with the word matches.
  return words && (kind || region) ? page.modifyEnd(planEachRun) : page;
});

/** Typed queries for the authority directory, its senior officers and its imports. */
export class AuthoritiesRepository {
  constructor(private readonly db: DbOrTx) {}

  with(trx: DbOrTx): AuthoritiesRepository {
    return new AuthoritiesRepository(trx);
  }

  /** One page in name order after (or before) the cursor; `limit + 1` rows say whether there is more. */
  page(f: DirectoryFilters, cursor: DirectoryCursor | null, limit: number): Promise<DirectoryRow[]> {
    const shape = [
      f.words ? 'words' : '',
      f.kind ? 'kind' : '',
      f.region ? 'region' : '',
      f.status ?? '',
      f.onlyAuthorityId ? 'only' : '',
      cursor?.direction ?? '',
      limit + 1,
    ].join(' ');
    return DIRECTORY_PAGE.execute(this.db, shape, {
      words: f.words ?? '',
      kind: f.kind ?? '',
      region: f.region ?? '',
      onlyAuthorityId: f.onlyAuthorityId ?? '',
      cursorName: cursor?.name ?? '',
      cursorId: cursor?.id ?? '',
    });
  }

  async count(f: DirectoryFilters): Promise<number> {
    const row = await filteredAuthorities(this.db, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .modifyEnd(planEachRun)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** A batch of the export: authorities in name order after `after` (their officers: `officersOf`). */
  exportBatch(f: DirectoryFilters, after: { name: string; id: string } | null, limit: number): Promise<ExportRow[]> {
    let q = filteredAuthorities(this.db, f).select([...AUTHORITY_COLUMNS, 'a.sort_name']);
    if (after) q = q.where(sql<boolean>`(a.sort_name, a.id) > (${after.name}, ${after.id}::uuid)`);
    return q.orderBy('a.sort_name').orderBy('a.id').limit(limit).modifyEnd(planEachRun).execute();
  }

  /** The senior officers of several authorities at once. */
  officersOf(authorityIds: string[]): Promise<OfficerRow[]> {
    if (authorityIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('senior_officers').selectAll().where('authority_id', 'in', authorityIds).execute();
  }

  findById(id: string): Promise<AuthorityRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.db.selectFrom('authorities as a').select(AUTHORITY_COLUMNS).where('a.id', '=', id).executeTakeFirst();
  }

  findByReference(reference: string): Promise<{ id: string } | undefined> {
    return this.db.selectFrom('authorities').select('id').where('reference', '=', reference).executeTakeFirst();
  }

  async insertAuthority(values: NewRow<'authorities'>): Promise<string> {
    const row = await this.db.insertInto('authorities').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async updateAuthority(id: string, values: Partial<NewRow<'authorities'>>): Promise<void> {
    await this.db.updateTable('authorities').set(values).where('id', '=', id).execute();
  }

  officers(authorityId: string): Promise<OfficerRow[]> {
    return this.db
      .selectFrom('senior_officers')
      .selectAll()
      .where('authority_id', '=', authorityId)
      .orderBy('role')
      .orderBy('service_area')
      .execute();
  }

  findOfficer(authorityId: string, role: OfficerRow['role'], serviceArea: string | null) {
    let q = this.db
      .selectFrom('senior_officers')
      .selectAll()
      .where('authority_id', '=', authorityId)
      .where('role', '=', role);
    q = serviceArea === null ? q.where('service_area', 'is', null) : q.where('service_area', '=', serviceArea);
    return q.executeTakeFirst();
  }

  async insertOfficer(values: NewRow<'senior_officers'>): Promise<string> {
    const row = await this.db.insertInto('senior_officers').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async updateOfficer(
    id: string,
    values: Pick<NewRow<'senior_officers'>, 'title' | 'name' | 'job_title' | 'email' | 'updated_at'>,
  ) {
    await this.db.updateTable('senior_officers').set(values).where('id', '=', id).execute();
  }

  async deleteOfficer(id: string): Promise<void> {
    await this.db.deleteFrom('senior_officers').where('id', '=', id).execute();
  }

  // Imports.

  async insertImport(values: NewRow<'authority_imports'>): Promise<string> {
    const row = await this.db.insertInto('authority_imports').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  findImport(id: string) {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.db.selectFrom('authority_imports').selectAll().where('id', '=', id).executeTakeFirst();
  }

  recentImports(limit: number) {
    return this.db
      .selectFrom('authority_imports')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  async updateImport(id: string, values: Partial<NewRow<'authority_imports'>>): Promise<void> {
    await this.db.updateTable('authority_imports').set(values).where('id', '=', id).execute();
  }

  async insertImportRows(rows: StagedImportRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('authority_import_rows')
      .values(rows.map((r) => ({ ...r, heads: r.heads ? JSON.stringify(r.heads) : null })))
      .execute();
  }

  async deleteImportRows(importId: string): Promise<void> {
    await this.db.deleteFrom('authority_import_rows').where('import_id', '=', importId).execute();
  }

  /**
   * Applies an import's checked rows one statement at a time: authorities are upserted by reference
   * (in name order, so that the table keeps the directory's order: see migration 0057) and closed or
   * reopened as their status says, then chief executives, monitoring officers and heads of service
   * are upserted; a row without a monitoring officer removes the one held, and a row with an area's
   * head of service columns empty removes that head. Only real changes are written, and
   * each writes its audit row. Returns the ids of authorities created, and of existing authorities
   * that changed.
   */
  async mergeImport(
    importId: string,
    now: Date,
    actor: AuditActor,
    requestId: string | null,
  ): Promise<{ created: Set<string>; changed: Set<string> }> {
    const who = sql`${actor.type}, ${actor.id}::uuid, ${actor.role ?? null}`;
    const authorities = await sql<{ id: string; inserted: boolean }>`
      WITH up AS (
        INSERT INTO authorities AS a (name, kind, reference, address, region, generic_inbox, created_at, updated_at)
        SELECT r.name, r.kind, r.reference, r.address, r.region, r.generic_inbox, ${now}::timestamptz, ${now}::timestamptz
        FROM authority_import_rows r WHERE r.import_id = ${importId}::uuid
        ORDER BY lower(r.name), r.row_number
        ON CONFLICT (reference) WHERE reference IS NOT NULL DO UPDATE
          SET name = excluded.name, kind = excluded.kind, address = excluded.address, region = excluded.region,
              generic_inbox = excluded.generic_inbox, updated_at = excluded.updated_at
          WHERE (a.name, a.kind, a.address, a.region, a.generic_inbox)
            IS DISTINCT FROM (excluded.name, excluded.kind, excluded.address, excluded.region, excluded.generic_inbox)
        RETURNING a.id, (a.xmax = 0) AS inserted
      ), audited AS (
        INSERT INTO audit_events (actor_type, actor_id, actor_role, action, record_type, record_id, authority_id, request_id)
        SELECT ${who}, CASE WHEN inserted THEN 'authority.created' ELSE 'authority.updated' END,
               'authority', id::text, id, ${requestId}
        FROM up
      )
      SELECT id, inserted FROM up`.execute(this.db);

    // Senior officers from the file: each row of `source` (authority, role, service area, title, name,
    // job title, email) added, or changed where it differs, with an audit row each.
    const upsertOfficers = (source: RawBuilder<unknown>) =>
      sql<{ authority_id: string }>`
        WITH up AS (
          INSERT INTO senior_officers AS s (authority_id, role, service_area, title, name, job_title, email, created_at, updated_at)
          SELECT o.*, ${now}::timestamptz, ${now}::timestamptz FROM (${source}) o
          ON CONFLICT ON CONSTRAINT senior_officers_role_key DO UPDATE
            SET title = excluded.title, name = excluded.name, job_title = excluded.job_title,
                email = excluded.email, updated_at = excluded.updated_at
            WHERE (s.title, s.name, s.job_title, s.email)
              IS DISTINCT FROM (excluded.title, excluded.name, excluded.job_title, excluded.email)
          RETURNING s.id, s.authority_id, (s.xmax = 0) AS inserted
        ), audited AS (
          INSERT INTO audit_events (actor_type, actor_id, actor_role, action, record_type, record_id, authority_id, request_id)
          SELECT ${who}, CASE WHEN inserted THEN 'senior-officer.added' ELSE 'senior-officer.changed' END,
                 'senior-officer', id::text, authority_id, ${requestId}
          FROM up
        )
        SELECT authority_id FROM up`.execute(this.db);
    const officers = (role: 'chief-executive' | 'monitoring-officer', prefix: 'ce' | 'mo') =>
      upsertOfficers(sql`
        SELECT a.id, ${role}::text, NULL::text, ${sql.ref(`r.${prefix}_title`)}, ${sql.ref(`r.${prefix}_name`)},
               ${sql.ref(`r.${prefix}_job_title`)}, ${sql.ref(`r.${prefix}_email`)}
        FROM authority_import_rows r JOIN authorities a ON a.reference = r.reference
        WHERE r.import_id = ${importId}::uuid AND ${sql.ref(`r.${prefix}_name`)} IS NOT NULL`);

    // A status given closes or reopens the authority (one created closed is created, then closed).
    const statuses = await sql<{ id: string }>`
      WITH changed AS (
        UPDATE authorities a
        SET active = r.active, closed_at = CASE WHEN r.active THEN NULL ELSE ${now}::timestamptz END,
            updated_at = ${now}::timestamptz
        FROM authority_import_rows r
        WHERE r.import_id = ${importId}::uuid AND a.reference = r.reference
          AND r.active IS NOT NULL AND a.active <> r.active
        RETURNING a.id, a.active
      ), audited AS (
        INSERT INTO audit_events (actor_type, actor_id, actor_role, action, record_type, record_id, authority_id, request_id)
        SELECT ${who}, CASE WHEN active THEN 'authority.reopened' ELSE 'authority.closed' END,
               'authority', id::text, id, ${requestId}
        FROM changed
      )
      SELECT id FROM changed`.execute(this.db);

    const chiefs = await officers('chief-executive', 'ce');
    const monitoring = await officers('monitoring-officer', 'mo');
    // Heads of service: an area's object records its head, null removes it, absent leaves it.
    const heads = await upsertOfficers(sql`
      SELECT a.id, 'head-of-service'::text, h.key, h.value->>'title', h.value->>'name', h.value->>'job_title',
             h.value->>'email'
      FROM authority_import_rows r
        CROSS JOIN LATERAL jsonb_each(r.heads) h
        JOIN authorities a ON a.reference = r.reference
      WHERE r.import_id = ${importId}::uuid AND jsonb_typeof(h.value) = 'object'`);
    const removedHeads = await sql<{ authority_id: string }>`
      WITH gone AS (
        DELETE FROM senior_officers s
        USING authority_import_rows r
          CROSS JOIN LATERAL jsonb_each(r.heads) h
          JOIN authorities a ON a.reference = r.reference
        WHERE r.import_id = ${importId}::uuid AND jsonb_typeof(h.value) = 'null'
          AND s.authority_id = a.id AND s.role = 'head-of-service' AND s.service_area = h.key
        RETURNING s.id, s.authority_id
      ), audited AS (
        INSERT INTO audit_events (actor_type, actor_id, actor_role, action, record_type, record_id, authority_id, request_id)
        SELECT ${who}, 'senior-officer.removed', 'senior-officer', id::text, authority_id, ${requestId}
        FROM gone
      )
      SELECT authority_id FROM gone`.execute(this.db);
    const removed = await sql<{ authority_id: string }>`
      WITH gone AS (
        DELETE FROM senior_officers s
        USING authority_import_rows r, authorities a
        WHERE r.import_id = ${importId}::uuid AND r.mo_name IS NULL AND a.reference = r.reference
          AND s.authority_id = a.id AND s.role = 'monitoring-officer'
        RETURNING s.id, s.authority_id
      ), audited AS (
        INSERT INTO audit_events (actor_type, actor_id, actor_role, action, record_type, record_id, authority_id, request_id)
        SELECT ${who}, 'senior-officer.removed', 'senior-officer', id::text, authority_id, ${requestId}
        FROM gone
      )
      SELECT authority_id FROM gone`.execute(this.db);

    const created = new Set(authorities.rows.filter((r) => r.inserted).map((r) => r.id));
    const changed = new Set<string>();
    for (const r of authorities.rows) if (!r.inserted) changed.add(r.id);
    for (const r of statuses.rows) if (!created.has(r.id)) changed.add(r.id);
    for (const r of [...chiefs.rows, ...monitoring.rows, ...heads.rows, ...removedHeads.rows, ...removed.rows])
      if (!created.has(r.authority_id)) changed.add(r.authority_id);
    return { created, changed };
  }
}

export const isUuid = (value: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
