import type { Kysely } from 'kysely';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Snapshots } from '../../platform/snapshot.ts';
import type { Database } from '../../platform/db/schema.ts';
import { conflict, forbidden, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { auditActor, can, type Actor, type Permission } from '../accounts/domain.ts';
import type { TimelineEvent } from '../complaints/complaints.service.ts';
import { z } from 'zod';
import {
  CODE_STAGES,
  DEFAULT_RETENTION_YEARS,
  DUE_SOON_WORKING_DAYS,
  dueState,
  formatDay,
  nextDue,
  stageClock,
  stagesFor,
  type RecordState,
  type StageRule,
  type StageState,
  type StatutoryRoute,
} from './domain.ts';
import { applyEvent, openedStage, stageFinding, type EventInput } from './events.ts';
import {
  checkImportRow,
  effectiveMapping,
  readImportFile,
  type ColumnMapping,
  type ImportRow,
} from './local-complaints.csv.ts';
import {
  LocalComplaintsRepository,
  type LocalRow,
  type LogFilter,
  type NewEvent,
} from './local-complaints.repository.ts';

export interface NewLocalComplaint {
  reference: string;
  receivedOn: string;
  serviceArea: string;
  channel: string;
  complainant: { name: string; email: string | null; phone: string | null };
  summary: string;
  handler: string | null;
  statutoryRoute: StatutoryRoute | null;
}

export interface Dates {
  id: string;
  stage: number;
  acknowledgeBy: string;
  respondBy: string;
}

const logCursor = z.tuple([z.string(), z.uuid()]);
/** Rows written per transaction by an import; its progress moves on after each batch. */
const IMPORT_BATCH = 1000;

/**
 * The authority's own complaints: entered in the portal, pushed over the API or imported from its
 * complaints system, with the Code's clocks; linked to an ombudsman case by intake; the
 * authority's oversight and annual self-assessment. Authority users see their own authority's
 * records; ombudsman staff see a record only once it is linked to a case, and aggregates otherwise.
 */
export class LocalComplaintsService {
  private readonly repo: LocalComplaintsRepository;
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
    /** Where the oversight figures are kept for `DASHBOARD_CACHE_SECONDS`; none: read every time. */
    private readonly snapshots: Snapshots | null = null,
  ) {
    this.repo = new LocalComplaintsRepository(db);
  }

  private oversightKey(authorityId: string): string {
    return `local-complaints.oversight:${authorityId}:`;
  }

  /** Forgets the authority's oversight figures in this process: something was just recorded. */
  private changed(authorityId: string): void {
    this.snapshots?.drop(this.oversightKey(authorityId));
  }

  today(): string {
    return this.calendar.londonDate(this.clock.now());
  }

  private authorityOf(actor: Actor, permission: Permission): string {
    if (!can(actor, permission) || !actor.authorityId) throw forbidden();
    return actor.authorityId;
  }

  private async rules(authorityId: string, route: StatutoryRoute | null): Promise<readonly StageRule[]> {
    const a = await this.repo.authorityKind(authorityId);
    return stagesFor(a?.kind ?? '', route);
  }

  private stageDates(rules: readonly StageRule[], s: StageState) {
    const rule = rules[s.stage - 1];
    if (!rule) throw new Error(`stage ${s.stage} is not on the route`);
    const c = stageClock(this.calendar, rule, s);
    return { state: s, ackBy: c.acknowledge.date, respondBy: c.respond.date };
  }

  /** Records a complaint as the authority received it; its stage 1 clock starts on the day of receipt. */
  async create(actor: Actor, input: NewLocalComplaint): Promise<Dates> {
    const authorityId = this.authorityOf(actor, 'local-complaints:manage');
    const today = this.today();
    const problems: FieldError[] = [];
    if (input.receivedOn > today)
      problems.push({ field: 'receivedOn', message: 'The date received must be today or in the past' });
    if (problems.length > 0) throw invalid(problems);
    const route = input.statutoryRoute;
    const rules = await this.rules(authorityId, route);
    const stage = openedStage(1, input.receivedOn, input.handler);
    const dated = this.stageDates(rules, stage);
    const state: RecordState = { receivedOn: input.receivedOn, stage: 1, closedOn: null, stages: [stage] };
    const created = await this.repo.transaction(async (repo) => {
      const id = await repo.insert(
        {
          authority_id: authorityId,
          reference: input.reference,
          received_on: input.receivedOn,
          service_area: input.serviceArea,
          channel: input.channel,
          complainant_name: input.complainant.name,
          complainant_email: input.complainant.email,
          complainant_phone: input.complainant.phone,
          summary: input.summary,
          statutory_route: route,
          stage: 1,
          next_due_on: nextDue(this.calendar, rules, state),
          closed_on: null,
        },
        [dated],
        [{ stage: 1, type: 'received', happened_on: input.receivedOn, detail: null }],
        actor.type,
      );
      if (!id)
        throw conflict('There is a problem', [
          { field: 'reference', message: `A complaint with the reference ${input.reference} is already in your log` },
        ]);
      await repo.audit(this.audit(actor, 'local-complaint.created', id, authorityId));
      return { id, stage: 1, acknowledgeBy: dated.ackBy, respondBy: dated.respondBy };
    });
    this.changed(authorityId);
    return created;
  }

  private audit(actor: Actor, action: string, id: string, authorityId: string) {
    return {
      actor: auditActor(actor),
      action,
      recordType: 'local-complaint',
      recordId: id,
      authorityId,
      requestId: actor.requestId ?? null,
    };
  }

  /** A record of the actor's own authority (404 for anyone else's). */
  private async own(
    repo: LocalComplaintsRepository,
    actor: Actor,
    id: string,
    permission: Permission,
    forUpdate = false,
  ) {
    const authorityId = this.authorityOf(actor, permission);
    const row = await repo.find(id, forUpdate);
    if (!row || row.authority_id !== authorityId) throw notFound('The complaint');
    return row;
  }

  private state(row: LocalRow, stages: readonly StageState[]): RecordState {
    return { receivedOn: row.received_on, stage: row.stage, closedOn: row.closed_on, stages };
  }

  /** Records an event; refused with the reason, changing nothing, when the Code or the dates do not allow it. */
  async recordEvent(actor: Actor, id: string, event: EventInput): Promise<Dates> {
    const recorded = await this.repo.transaction(async (repo) => {
      const row = await this.own(repo, actor, id, 'local-complaints:manage', true);
      const stages = await repo.stages(id);
      const rules = stagesFor(row.authority_kind, row.statutory_route as StatutoryRoute | null);
      const applied = applyEvent(rules, this.state(row, stages), event, this.today());
      if ('errors' in applied) throw invalid(applied.errors, applied.errors[0]?.message);
      const after: RecordState = {
        receivedOn: row.received_on,
        stage: applied.stage,
        closedOn: applied.closedOn,
        stages: applied.stages,
      };
      let current = { ackBy: '', respondBy: '' };
      for (const s of applied.stages) {
        const d = this.stageDates(rules, s);
        await repo.saveStage(id, s, d.ackBy, d.respondBy);
        if (s.stage === applied.stage) current = d;
      }
      await repo.update(
        id,
        { stage: applied.stage, closed_on: applied.closedOn, next_due_on: nextDue(this.calendar, rules, after) },
        this.clock.now(),
      );
      await repo.addEvent(
        id,
        {
          stage: event.type === 'escalated' ? applied.stage : row.stage,
          type: event.type,
          happened_on: event.on,
          detail: applied.detail,
        },
        actor.type,
      );
      await repo.audit(this.audit(actor, `local-complaint.${event.type}`, id, row.authority_id));
      return {
        authorityId: row.authority_id,
        dates: { id, stage: applied.stage, acknowledgeBy: current.ackBy, respondBy: current.respondBy },
      };
    });
    this.changed(recorded.authorityId);
    return recorded.dates;
  }

  /** One record with its stages, their clocks (with the working) and its history. */
  async get(actor: Actor, id: string) {
    const row = await this.own(this.repo, actor, id, 'local-complaints:read');
    return this.detail(row);
  }

  private async detail(row: LocalRow) {
    const [stages, events] = await Promise.all([this.repo.stages(row.id), this.repo.events(row.id)]);
    const rules = stagesFor(row.authority_kind, row.statutory_route as StatutoryRoute | null);
    const today = this.today();
    return {
      record: row,
      rules,
      stages: stages.map((s) => {
        const rule = rules[s.stage - 1] ?? rules[rules.length - 1] ?? CODE_STAGES[0];
        if (!rule) throw new Error('no stage rules');
        return Object.assign({ rule, clock: stageClock(this.calendar, rule, s) }, s);
      }),
      events,
      due: dueState(this.calendar, row.next_due_on, today),
      finding: stageFinding(this.calendar, rules, this.state(row, stages), today),
      canEscalate: rules.length > row.stage,
      today,
    };
  }

  async dates(actor: Actor, id: string): Promise<Dates & { reference: string; closedOn: string | null }> {
    const d = await this.get(actor, id);
    const s = d.stages.find((x) => x.stage === d.record.stage);
    if (!s) throw notFound('The complaint');
    return {
      id,
      reference: d.record.reference,
      stage: d.record.stage,
      acknowledgeBy: s.clock.acknowledge.date,
      respondBy: s.clock.respond.date,
      closedOn: d.record.closed_on,
    };
  }

  /** The log: one page, newest received first, with its due badges. */
  async log(
    actor: Actor,
    filter: Omit<LogFilter, 'today' | 'dueSoonBy'>,
    cursor: string | undefined,
    limit = 50,
  ): Promise<
    Page<Awaited<ReturnType<LocalComplaintsRepository['log']>>[number] & { due: ReturnType<typeof dueState> }>
  > {
    const authorityId = this.authorityOf(actor, 'local-complaints:read');
    const today = this.today();
    const dueSoonBy = this.calendar.addWorkingDays(today, DUE_SOON_WORKING_DAYS).date;
    const after = cursor ? decodeCursor(cursor, logCursor) : null;
    const rows = await this.repo.log(authorityId, { ...filter, today, dueSoonBy }, after, limit);
    const page = toPage(rows, limit, (r) => [r.received_on, r.id]);
    return {
      nextCursor: page.nextCursor,
      items: page.items.map((r) => Object.assign({ due: dueState(this.calendar, r.next_due_on, today) }, r)),
    };
  }

  // Imports.

  async mapping(actor: Actor): Promise<Record<string, string>> {
    const authorityId = this.authorityOf(actor, 'local-complaints:manage');
    const s = await this.repo.settings(authorityId);
    return effectiveMapping(s?.column_mapping ?? {});
  }

  /**
   * The dry run: reads the file with the mapping (saved for next time), checks every row and says
   * what importing it would create, update or refuse, and why. Nothing is imported yet.
   */
  async checkImport(actor: Actor, fileName: string, bytes: Uint8Array, mapping: ColumnMapping): Promise<string> {
    const authorityId = this.authorityOf(actor, 'local-complaints:manage');
    const used = effectiveMapping(mapping);
    const read = readImportFile(bytes, used);
    if ('errors' in read) throw invalid(read.errors, 'The selected file cannot be imported');
    const own = await this.repo.authorityKind(authorityId);
    const today = this.today();
    const refusals: { line: number; reference: string; problems: string[] }[] = [];
    const good: ImportRow[] = [];
    const seen = new Map<string, number>();
    for (const { line, values } of read.rows) {
      const checked = checkImportRow(line, values, { reference: own?.reference ?? null }, today);
      if ('problems' in checked) {
        refusals.push({ line, reference: values.reference ?? '', problems: checked.problems });
        continue;
      }
      const earlier = seen.get(checked.row.reference);
      if (earlier !== undefined) {
        refusals.push({
          line,
          reference: checked.row.reference,
          problems: [`The reference is also on line ${earlier}: each complaint once`],
        });
        continue;
      }
      seen.set(checked.row.reference, line);
      good.push(checked.row);
    }
    const existing = new Map<string, Awaited<ReturnType<LocalComplaintsRepository['byReferences']>>[number]>();
    for (let i = 0; i < good.length; i += 1000) {
      for (const r of await this.repo.byReferences(
        authorityId,
        good.slice(i, i + 1000).map((g) => g.reference),
      ))
        existing.set(r.reference, r);
    }
    let create = 0;
    let update = 0;
    let unchanged = 0;
    const planned: (ImportRow & { action: 'create' | 'update'; id: string | null })[] = [];
    for (const g of good) {
      const e = existing.get(g.reference);
      if (!e) {
        create++;
        planned.push(Object.assign({ action: 'create' as const, id: null }, g));
      } else if (
        e.service_area !== g.serviceArea ||
        e.channel !== g.channel ||
        e.complainant_name !== g.complainantName ||
        e.complainant_email !== g.complainantEmail ||
        e.complainant_phone !== g.complainantPhone ||
        e.summary !== g.summary
      ) {
        update++;
        planned.push(Object.assign({ action: 'update' as const, id: e.id }, g));
      } else unchanged++;
    }
    return this.repo.transaction(async (repo) => {
      await repo.saveSettings(authorityId, { column_mapping: used }, this.clock.now());
      const id = await repo.insertImport({
        authority_id: authorityId,
        created_by: actor.type === 'user' ? actor.id : null,
        file_name: fileName.slice(0, 200) || 'upload.csv',
        total_rows: read.rows.length,
        to_create: create,
        to_update: update,
        unchanged,
        refused: refusals.length,
        rows: JSON.stringify(planned),
        refusals: JSON.stringify(refusals),
      });
      await repo.audit({
        ...this.audit(actor, 'local-complaint.import-checked', id, authorityId),
        recordType: 'local-complaint-import',
      });
      return id;
    });
  }

  async getImport(actor: Actor, id: string) {
    const authorityId = this.authorityOf(actor, 'local-complaints:read');
    const found = await this.repo.findImport(id, authorityId);
    if (!found) throw notFound('The import');
    return found;
  }

  async recentImports(actor: Actor) {
    return this.repo.recentImports(this.authorityOf(actor, 'local-complaints:read'));
  }

  /** Applies a checked import in the background, in batches, with its progress kept; each row whole or not at all. */
  async applyImport(actor: Actor, id: string): Promise<void> {
    const authorityId = this.authorityOf(actor, 'local-complaints:manage');
    const found = await this.repo.findImport(id, authorityId);
    if (!found) throw notFound('The import');
    if (!(await this.repo.claimImport(id))) throw conflict('This import has already been started');
    const rows = (await this.repo.importRows(id)) as
      (ImportRow & { action: 'create' | 'update'; id: string | null })[] | null;
    const task = this.runImport(actor, authorityId, id, rows ?? [])
      .catch(async () => {
        await this.repo.importProgress(id, { status: 'failed', finished_at: this.clock.now() }).catch(() => undefined);
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, task);
  }

  async importFinished(id: string): Promise<void> {
    await this.running.get(id);
  }

  private async runImport(
    actor: Actor,
    authorityId: string,
    id: string,
    rows: readonly (ImportRow & { action: 'create' | 'update'; id: string | null })[],
  ) {
    const a = await this.repo.authorityKind(authorityId);
    const today = this.today();
    for (let start = 0; start < rows.length; start += IMPORT_BATCH) {
      const batch = rows.slice(start, start + IMPORT_BATCH);
      const updates: Parameters<LocalComplaintsRepository['updateMany']>[1][number][] = [];
      const creates: Parameters<LocalComplaintsRepository['insertMany']>[0][number][] = [];
      for (const r of batch) {
        if (r.action === 'update' && r.id) {
          updates.push({
            id: r.id,
            service_area: r.serviceArea,
            channel: r.channel,
            complainant_name: r.complainantName,
            complainant_email: r.complainantEmail,
            complainant_phone: r.complainantPhone,
            summary: r.summary,
          });
          continue;
        }
        const rules = stagesFor(a?.kind ?? '', r.statutoryRoute);
        let state: RecordState = {
          receivedOn: r.receivedOn,
          stage: 1,
          closedOn: null,
          stages: [openedStage(1, r.receivedOn, r.handler)],
        };
        const events: NewEvent[] = [{ stage: 1, type: 'received', happened_on: r.receivedOn, detail: null }];
        const steps: EventInput[] = [];
        if (r.acknowledgedOn) steps.push({ type: 'acknowledged', on: r.acknowledgedOn });
        if (r.respondedOn) steps.push({ type: 'responded', on: r.respondedOn, outcome: r.outcome });
        for (const e of steps) {
          const applied = applyEvent(rules, state, e, today);
          if ('errors' in applied) continue; // checked in the dry run; dates only move forward here.
          state = { ...state, stages: applied.stages };
          events.push({ stage: 1, type: e.type, happened_on: e.on, detail: applied.detail });
        }
        creates.push({
          record: {
            authority_id: authorityId,
            reference: r.reference,
            received_on: r.receivedOn,
            service_area: r.serviceArea,
            channel: r.channel,
            complainant_name: r.complainantName,
            complainant_email: r.complainantEmail,
            complainant_phone: r.complainantPhone,
            summary: r.summary,
            statutory_route: r.statutoryRoute,
            stage: 1,
            next_due_on: nextDue(this.calendar, rules, state),
            closed_on: null,
          },
          stages: state.stages.map((s) => this.stageDates(rules, s)),
          events,
        });
      }
      // Each batch in one transaction: its updates, then its new records, stages and events, each in
      // one statement, and the progress. A reference added meanwhile by another route is skipped.
      await this.repo.transaction(async (repo) => {
        await repo.updateMany(authorityId, updates, this.clock.now());
        await repo.insertMany(creates, 'import');
        await repo.importProgress(id, { processed_rows: Math.min(start + batch.length, rows.length) });
      });
    }
    await this.repo.transaction(async (repo) => {
      await repo.importProgress(id, {
        status: 'succeeded',
        finished_at: this.clock.now(),
        processed_rows: rows.length,
      });
      await repo.audit({
        ...this.audit(actor, 'local-complaint.imported', id, authorityId),
        recordType: 'local-complaint-import',
      });
    });
    this.changed(authorityId);
  }

  // The ombudsman's side.

  private requireStaff(actor: Actor, permission: Permission) {
    if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
  }

  /**
   * Local records that may be this case's complaint, for intake: by the complainant's email,
   * telephone, or name in the case's service area, or the reference they gave. Only what matching
   * needs is shown (reference, dates, stage, how it matched); the record itself once linked.
   */
  async candidates(
    actor: Actor,
    c: {
      authorityId: string;
      serviceArea: string;
      email: string | null;
      phone: string | null;
      name: string | null;
      reference: string | null;
    },
  ) {
    this.requireStaff(actor, 'complaints:read');
    const phone = c.phone ? c.phone.replace(/[^0-9]/g, '') || null : null;
    return this.repo.candidates(c.authorityId, {
      email: c.email,
      phone,
      name: c.name,
      serviceArea: c.serviceArea,
      reference: c.reference?.trim() || null,
    });
  }

  /** Links a candidate to the case (intake); the record must match the case's authority and not be another case's. */
  async link(actor: Actor, complaint: { id: string; authorityId: string }, localId: string): Promise<void> {
    this.requireStaff(actor, 'complaints:intake');
    await this.repo.transaction(async (repo) => {
      const row = await repo.find(localId, true);
      if (!row || row.authority_id !== complaint.authorityId) throw notFound('The local complaint');
      if (row.complaint_id && row.complaint_id !== complaint.id)
        throw conflict('That local complaint is already linked to another case');
      const already = await repo.findByCase(complaint.id);
      if (already && already.id !== localId) throw conflict('The case is already linked to a local complaint');
      await repo.link(localId, complaint.id, this.clock.now());
      await repo.audit(this.audit(actor, 'local-complaint.linked', localId, row.authority_id));
    });
    this.changed(complaint.authorityId);
  }

  /** The local record linked to a case, for staff of the case and the authority's own users. */
  async linkedTo(actor: Actor, complaintId: string) {
    if (actor.authorityId === null) this.requireStaff(actor, 'complaints:read');
    const row = await this.repo.findByCase(complaintId);
    if (!row) return null;
    if (actor.authorityId !== null && actor.authorityId !== row.authority_id) return null;
    return this.detail(row);
  }

  /** The linked record's stages on the case's timeline, from the authority's receipt. */
  async timelineEvents(complaintId: string): Promise<TimelineEvent[]> {
    const row = await this.repo.findByCase(complaintId);
    if (!row) return [];
    const events = await this.repo.events(row.id);
    const rules = stagesFor(row.authority_kind, row.statutory_route as StatutoryRoute | null);
    const label: Record<string, string> = {
      received: 'received by the authority',
      acknowledged: 'acknowledged by the authority',
      extended: 'response time extended by the authority',
      responded: 'response sent by the authority',
      escalated: 'asked for by the complainant',
      closed: 'closed by the authority',
    };
    return events.map((e) => ({
      at: new Date(`${e.happened_on}T00:00:00Z`),
      kind: 'authority-handling' as const,
      label: `${rules[e.stage - 1]?.name ?? `Stage ${e.stage}`} ${label[e.type] ?? e.type}`,
      text: `Local reference ${row.reference}${e.detail && e.type !== 'acknowledged' ? `: ${e.detail}` : ''}`,
      actorRole: 'Authority',
      authorityVisible: true,
    }));
  }

  /** Staff: an authority's local complaints in aggregate (counts and timeliness, never the records). */
  async aggregate(actor: Actor, authorityId: string) {
    this.requireStaff(actor, 'authorities:read');
    return this.repo.aggregate(authorityId);
  }

  // Oversight.

  /** The year to 31 March that a date falls in, as its first and last days. */
  yearOf(date: string): { from: string; to: string; label: string } {
    const y = Number(date.slice(0, 4));
    const start = date.slice(5) >= '04-01' ? y : y - 1;
    return { from: `${start}-04-01`, to: `${start + 1}-03-31`, label: `${start} to ${start + 1}` };
  }

  async oversight(actor: Actor, year: number | undefined) {
    const authorityId = this.authorityOf(actor, 'local-complaints:read');
    const period = this.yearOf(year ? `${year}-04-01` : this.today());
    // The authority's figures for a year are kept for DASHBOARD_CACHE_SECONDS and shared by its
    // users' requests (the dashboard, its CSV, the self-assessment and its PDF): at most that old.
    const load = () => this.repo.oversight(authorityId, period.from, period.to);
    const rows = await (this.snapshots
      ? this.snapshots.get(`${this.oversightKey(authorityId)}${period.from}`, load)
      : load());
    return { period, rows };
  }

  async selfAssessmentText(actor: Actor, label: string): Promise<Record<string, string>> {
    const authorityId = this.authorityOf(actor, 'local-complaints:read');
    const s = await this.repo.settings(authorityId);
    const all = (s?.self_assessment ?? {}) as Record<string, unknown>;
    const mine = all[label];
    return mine && typeof mine === 'object' ? (mine as Record<string, string>) : {};
  }

  async saveSelfAssessment(actor: Actor, label: string, text: Record<string, string>): Promise<void> {
    const authorityId = this.authorityOf(actor, 'local-complaints:manage');
    await this.repo.transaction(async (repo) => {
      const s = await repo.settings(authorityId);
      const all = { ...(s?.self_assessment ?? {}) } as Record<string, unknown>;
      all[label] = text;
      await repo.saveSettings(authorityId, { self_assessment: all as Record<string, string> }, this.clock.now());
      await repo.audit({
        ...this.audit(actor, 'local-complaint.self-assessment-saved', authorityId, authorityId),
        recordType: 'local-complaint-settings',
      });
    });
  }

  async authorityName(actor: Actor): Promise<string> {
    const a = await this.repo.authorityKind(this.authorityOf(actor, 'local-complaints:read'));
    return a?.name ?? '';
  }

  /** Deletes closed records past their authority's retention setting. */
  async sweepRetention(): Promise<number> {
    return this.repo.deleteExpired(this.today(), DEFAULT_RETENTION_YEARS);
  }

  describeDay = formatDay;
}

export { encodeCursor };
