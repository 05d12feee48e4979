import { conflict, invalid, notFound } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import { nextDue, stagesFor, type RecordState } from './domain.ts';
import { applyEvent, openedStage, type EventInput } from './events.ts';
import {
  auditEvent,
  authorityOf,
  changed,
  inTransaction,
  stageDates,
  type LocalComplaintsContext,
  type PlannedRow,
} from './context.ts';
import type { LocalComplaintImportsRepository } from './imports.repository.ts';
import {
  checkImportRow,
  effectiveMapping,
  readImportFile,
  type ColumnMapping,
  type ImportRow,
} from './local-complaints.csv.ts';
import type { NewEvent } from './local-complaints.repository.ts';

// Imports from the authority's complaints system: the column mapping, the dry run, and applying a
// checked import in the background.

/** Rows written per transaction by an import; its progress moves on after each batch. */
const IMPORT_BATCH = 1000;

export async function mapping(ctx: LocalComplaintsContext, actor: Actor): Promise<Record<string, string>> {
  const authorityId = authorityOf(actor, 'local-complaints:manage');
  const s = await ctx.oversight.settings(authorityId);
  return effectiveMapping(s?.column_mapping ?? {});
}

/**
 * The dry run: reads the file with the mapping (saved for next time), checks every row and says
 * what importing it would create, update or refuse, and why. Nothing is imported yet.
 */
export async function checkImport(
  ctx: LocalComplaintsContext,
  actor: Actor,
  fileName: string,
  bytes: Uint8Array,
  columns: ColumnMapping,
): Promise<string> {
  const authorityId = authorityOf(actor, 'local-complaints:manage');
  const used = effectiveMapping(columns);
  const read = readImportFile(bytes, used);
  if ('errors' in read) throw invalid(read.errors, 'The selected file cannot be imported');
  const own = await ctx.records.authorityKind(authorityId);
  const day = londonToday(ctx);
  const refusals: { line: number; reference: string; problems: string[] }[] = [];
  const good: ImportRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, values } of read.rows) {
    const checked = checkImportRow(line, values, { reference: own?.reference ?? null }, day);
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
  const existing = new Map<string, Awaited<ReturnType<LocalComplaintImportsRepository['byReferences']>>[number]>();
  for (let i = 0; i < good.length; i += 1000) {
    for (const r of await ctx.imports.byReferences(
      authorityId,
      good.slice(i, i + 1000).map((g) => g.reference),
    ))
      existing.set(r.reference, r);
  }
  let create = 0;
  let update = 0;
  let unchanged = 0;
  const planned: PlannedRow[] = [];
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
  return inTransaction(ctx, async (repos) => {
    await repos.oversight.saveSettings(authorityId, { column_mapping: used }, ctx.clock.now());
    const id = await repos.imports.insertImport({
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
    await repos.records.audit({
      ...auditEvent(actor, 'local-complaint.import-checked', id, authorityId),
      recordType: 'local-complaint-import',
    });
    return id;
  });
}

export async function getImport(ctx: LocalComplaintsContext, actor: Actor, id: string) {
  const authorityId = authorityOf(actor, 'local-complaints:read');
  const found = await ctx.imports.findImport(id, authorityId);
  if (!found) throw notFound('The import');
  return found;
}

export async function recentImports(ctx: LocalComplaintsContext, actor: Actor) {
  return ctx.imports.recentImports(authorityOf(actor, 'local-complaints:read'));
}

/** Applies a checked import in the background, in batches, with its progress kept; each row whole or not at all. */
export async function applyImport(ctx: LocalComplaintsContext, actor: Actor, id: string): Promise<void> {
  const authorityId = authorityOf(actor, 'local-complaints:manage');
  const found = await ctx.imports.findImport(id, authorityId);
  if (!found) throw notFound('The import');
  if (!(await ctx.imports.claimImport(id))) throw conflict('This import has already been started');
  const rows = (await ctx.imports.importRows(id)) as PlannedRow[] | null;
  const task = runImport(ctx, actor, authorityId, id, rows ?? [])
    .catch(async () => {
      await ctx.imports.importProgress(id, { status: 'failed', finished_at: ctx.clock.now() }).catch(() => undefined);
    })
    .finally(() => ctx.running.delete(id));
  ctx.running.set(id, task);
}

export async function importFinished(ctx: LocalComplaintsContext, id: string): Promise<void> {
  await ctx.running.get(id);
}

async function runImport(
  ctx: LocalComplaintsContext,
  actor: Actor,
  authorityId: string,
  id: string,
  rows: readonly PlannedRow[],
) {
  const a = await ctx.records.authorityKind(authorityId);
  const day = londonToday(ctx);
  for (let start = 0; start < rows.length; start += IMPORT_BATCH) {
    const batch = rows.slice(start, start + IMPORT_BATCH);
    const updates: Parameters<LocalComplaintImportsRepository['updateMany']>[1][number][] = [];
    const creates: Parameters<LocalComplaintImportsRepository['insertMany']>[0][number][] = [];
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
      const stageRules = stagesFor(a?.kind ?? '', r.statutoryRoute);
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
        const applied = applyEvent(stageRules, state, e, day);
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
          next_due_on: nextDue(ctx.calendar, stageRules, state),
          closed_on: null,
        },
        stages: state.stages.map((s) => stageDates(ctx, stageRules, s)),
        events,
      });
    }
    // Each batch in one transaction: its updates, then its new records, stages and events, each in
    // one statement, and the progress. A reference added meanwhile by another route is skipped.
    await inTransaction(ctx, async ({ imports }) => {
      await imports.updateMany(authorityId, updates, ctx.clock.now());
      await imports.insertMany(creates, 'import');
      await imports.importProgress(id, { processed_rows: Math.min(start + batch.length, rows.length) });
    });
  }
  await inTransaction(ctx, async ({ imports, records }) => {
    await imports.importProgress(id, {
      status: 'succeeded',
      finished_at: ctx.clock.now(),
      processed_rows: rows.length,
    });
    await records.audit({
      ...auditEvent(actor, 'local-complaint.imported', id, authorityId),
      recordType: 'local-complaint-import',
    });
  });
  changed(ctx, authorityId);
}
