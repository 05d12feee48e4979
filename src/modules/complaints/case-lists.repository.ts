import { sql, type Kysely } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import { planEachRun } from '../../platform/db/prepared.ts';
import { reusableQuery } from '../../platform/db/reusable.ts';
import type { ComplaintStatus, Database, Row } from '../../platform/db/schema.ts';
import { afterKeyset, preciseTimestamp } from '../../platform/pagination.ts';
import { toldToAuthoritySql } from './complaints.sql.ts';
import { ALLOCATION_STATUSES, QUEUE_STATUSES } from './domain.ts';

export interface ListFilters {
  status?: ComplaintStatus | undefined;
  authorityId?: string | undefined;
  serviceArea?: string | undefined;
  investigatorId?: string | undefined;
  /** Only cases under investigation (or later) that no investigator has been allocated. */
  unallocated?: boolean | undefined;
  urgent?: boolean | undefined;
  /** Only cases with an enquiry to the authority still open after its due date. */
  overdue?: boolean | undefined;
  reference?: string | undefined;
  /** For authority users: leave out cases closed as invalid or out of jurisdiction (the authority is never told of them). */
  hideUntold?: boolean | undefined;
}

/**
 * Whether the case list's best plan depends on the filter values. One filter among status,
 * authority, service area and investigator (or none) is served by that column's own index in
 * received order, whatever the value, so the plan can be kept; combined filters and the others
 * (urgent, reference, untold outcomes, not allocated) match a few rows or most of them depending on the values.
 */
function planDependsOnValues(f: ListFilters): boolean {
  const indexed = [f.status, f.authorityId, f.serviceArea, f.investigatorId].filter(Boolean).length;
  return indexed > 1 || Boolean(f.urgent || f.overdue || f.reference || f.hideUntold || f.unallocated);
}

export interface ListRow {
  id: string;
  reference: string;
  status: ComplaintStatus;
  authority_id: string;
  authority_name: string;
  service_area: string;
  urgent: boolean;
  outcome: Row<'complaints'>['outcome'];
  received_at: Date;
  received_key: string;
  investigator_id: string | null;
}

/** The columns every list of cases shows: which case, whose, what, and whether urgent. */
const CASE_SUMMARY_COLUMNS = [
  'c.id',
  'c.reference',
  'c.status',
  'c.authority_id',
  'a.name as authority_name',
  'c.service_area',
  'c.urgent',
] as const;

/**
 * The case list's page, compiled once per shape (which filters apply, whether after a cursor, the
 * limit): the statement the case list runs on every request.
 */
const CASE_LIST_PAGE = reusableQuery<{
  status: ComplaintStatus;
  authorityId: string;
  serviceArea: string;
  investigatorId: string;
  reference: string;
  today: string;
  afterAt: string;
  afterId: string;
}>()((db, slot, shape) => {
  const [present, cursor, limitText] = shape.split(' ');
  const has = (name: string) => (present ?? '').split(',').includes(name);
  const filters: ListFilters = {
    status: has('status') ? slot('status') : undefined,
    authorityId: has('authorityId') ? slot('authorityId') : undefined,
    serviceArea: has('serviceArea') ? slot('serviceArea') : undefined,
    investigatorId: has('investigatorId') ? slot('investigatorId') : undefined,
    reference: has('reference') ? slot('reference') : undefined,
    unallocated: has('unallocated'),
    urgent: has('urgent'),
    overdue: has('overdue'),
    hideUntold: has('hideUntold'),
  };
  const after = cursor === 'after' ? ([slot('afterAt'), slot('afterId')] as const) : null;
  const limit = Number(limitText);
  const today = slot('today');
  let q = db
    .selectFrom('complaints as c')
    .innerJoin('authorities as a', 'a.id', 'c.authority_id')
    .select([
      ...CASE_SUMMARY_COLUMNS,
      'c.outcome',
      'c.received_at',
      'c.investigator_id',
      preciseTimestamp('c.received_at').as('received_key'),
    ]);
  if (filters.status) q = q.where('c.status', '=', filters.status);
  if (filters.authorityId) q = q.where('c.authority_id', '=', filters.authorityId);
  if (filters.serviceArea) q = q.where('c.service_area', '=', filters.serviceArea);
  if (filters.investigatorId) q = q.where('c.investigator_id', '=', filters.investigatorId);
  if (filters.unallocated) q = q.where('c.investigator_id', 'is', null).where('c.status', 'in', ALLOCATION_STATUSES);
  if (filters.urgent) q = q.where('c.urgent', '=', true);
  if (filters.overdue)
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('enquiries as e')
          .select(sql`1`.as('one'))
          .whereRef('e.complaint_id', '=', 'c.id')
          .where('e.status', '=', 'open')
          .where('e.due_on', '<', today),
      ),
    );
  if (filters.reference) q = q.where('c.reference', '=', filters.reference);
  if (filters.hideUntold) q = q.where(toldToAuthoritySql('c'));
  if (after)
    q = q.where(
      afterKeyset([sql.ref('c.received_at'), sql.ref('c.id')], [sql`${after[0]}::timestamptz`, after[1]], 'desc'),
    );
  q = q
    .orderBy('c.received_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit + 1);
  return planDependsOnValues(filters) ? q.modifyEnd(planEachRun) : q;
});

/** The lists of cases: the case list with its filters, and the assessment queue. */
export class CaseListsRepository {
  constructor(private readonly db: DbOrTx) {}

  static in(db: Kysely<Database> | DbOrTx) {
    return new CaseListsRepository(db);
  }

  /** A page of the case list, newest first (keyset on received_at, id). */
  list(
    filters: ListFilters,
    after: readonly [string, string] | null,
    limit: number,
    today: string,
  ): Promise<ListRow[]> {
    const present = (Object.keys(filters) as (keyof ListFilters)[]).filter((k) => filters[k]).sort();
    // A value whose filter is not in the shape is never bound: the placeholders only fill the type.
    return CASE_LIST_PAGE.execute(this.db, `${present.join(',')} ${after ? 'after' : 'first'} ${limit}`, {
      status: filters.status ?? 'received',
      authorityId: filters.authorityId ?? '',
      serviceArea: filters.serviceArea ?? '',
      investigatorId: filters.investigatorId ?? '',
      reference: filters.reference ?? '',
      today,
      afterAt: after?.[0] ?? '',
      afterId: after?.[1] ?? '',
    });
  }

  /** The assessment queue: urgent first, then oldest first (keyset on not-urgent, received_at, id). */
  queue(after: readonly [number, string, string] | null, limit: number) {
    let q = this.db
      .selectFrom('complaints as c')
      .innerJoin('authorities as a', 'a.id', 'c.authority_id')
      .select([
        ...CASE_SUMMARY_COLUMNS,
        'c.urgent_street_homelessness',
        'c.urgent_care_home_eviction',
        'c.urgent_serious_risk',
        'c.urgent_domestic_abuse',
        'c.premature',
        'c.late',
        'c.received_at',
        preciseTimestamp('c.received_at').as('received_key'),
      ])
      .where('c.status', 'in', QUEUE_STATUSES);
    if (after)
      q = q.where(
        afterKeyset(
          [sql`(NOT c.urgent)::int`, sql.ref('c.received_at'), sql.ref('c.id')],
          [after[0], sql`${after[1]}::timestamptz`, after[2]],
          'asc',
        ),
      );
    return q
      .orderBy(sql`(NOT c.urgent)`)
      .orderBy('c.received_at', 'asc')
      .orderBy('c.id', 'asc')
      .limit(limit + 1)
      .execute();
  }

  countQueue() {
    return this.db
      .selectFrom('complaints')
      .select((eb) => [eb.fn.countAll<number>().as('total'), sql<number>`count(*) FILTER (WHERE urgent)`.as('urgent')])
      .where('status', 'in', QUEUE_STATUSES)
      .executeTakeFirstOrThrow();
  }
}
