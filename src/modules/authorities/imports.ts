import { DomainError, notFound } from '../../platform/errors.ts';
import { auditActor, type Actor } from '../accounts/domain.ts';
import { auditRole } from '../audit/acting-role.ts';
import { parseImportFile, type RowError } from './authorities.csv.ts';
import { checkRow } from './authorities.csv-rows.ts';
import type { AuthoritiesRepository, StagedImportRow } from './authorities.repository.ts';
import { assertMay, audit, type AuthoritiesContext } from './context.ts';

// Importing a CSV file of authorities: every row checked in the background with its progress
// recorded, then all saved at once or none.

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

/** At most this many row errors are kept and shown for a rejected file. */
export const MAX_ROW_ERRORS = 500;
/** An import not heard from for this long stopped with its process; nothing of it was saved. */
const STALLED_AFTER_MS = 15 * 60_000;

/**
 * Starts importing a CSV file. File-level problems (encoding, header, no rows) are refused at
 * once as validation errors on `file`. Otherwise the import is recorded and runs in the
 * background: every row is checked (progress recorded as it goes), then either every row is
 * saved in one transaction or, if any row has a problem, nothing is. Returns the import's id.
 */
export async function startImport(
  ctx: AuthoritiesContext,
  actor: Actor,
  fileName: string,
  bytes: Uint8Array,
): Promise<string> {
  assertMay(actor, 'authorities:import');
  const parsed = parseImportFile(bytes);
  if ('errors' in parsed) throw new DomainError('validation', 'The selected file cannot be imported', parsed.errors);
  const now = ctx.clock.now();
  const id = await ctx.db.transaction().execute(async (trx) => {
    const importId = await ctx.repo.with(trx).insertImport({
      created_by: actor.type === 'user' ? actor.id : null,
      file_name: fileName.slice(0, 200) || 'upload.csv',
      total_rows: parsed.rows.length,
      created_at: now,
      updated_at: now,
    });
    await audit(trx, actor, 'authority-import.started', 'authority-import', importId, null);
    return importId;
  });
  const task = runImport(ctx, id, actor, parsed.rows)
    .catch(async (error: unknown) => {
      ctx.settings.logger?.error({ err: error, importId: id }, 'authority import failed');
      await ctx.repo
        .updateImport(id, {
          status: 'failed',
          failure: 'The import could not be saved. Nothing was changed. Try again.',
          finished_at: ctx.clock.now(),
          updated_at: ctx.clock.now(),
        })
        .catch(() => undefined);
      await ctx.repo.deleteImportRows(id).catch(() => undefined);
    })
    .finally(() => ctx.running.delete(id));
  ctx.running.set(id, task);
  return id;
}

async function runImport(
  ctx: AuthoritiesContext,
  id: string,
  actor: Actor,
  rows: { row: number; values: Record<string, string> }[],
) {
  const errors: RowError[] = [];
  const references = new Map<string, number>();
  const batchSize = ctx.settings.importBatchSize;
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
    if (errors.length === 0) await ctx.repo.insertImportRows(staged);
    await ctx.repo.updateImport(id, {
      processed_rows: Math.min(start + batchSize, rows.length),
      updated_at: ctx.clock.now(),
    });
  }

  if (errors.length > 0) {
    await ctx.db.transaction().execute(async (trx) => {
      const repo = ctx.repo.with(trx);
      await repo.deleteImportRows(id);
      await repo.updateImport(id, {
        status: 'failed',
        errors: JSON.stringify(errors.slice(0, MAX_ROW_ERRORS)),
        failure: `${errors.length.toLocaleString('en-GB')} problem${errors.length === 1 ? '' : 's'} in the file. Nothing was imported.`,
        finished_at: ctx.clock.now(),
        updated_at: ctx.clock.now(),
      });
      await audit(trx, actor, 'authority-import.rejected', 'authority-import', id, null);
    });
    return;
  }

  await ctx.repo.updateImport(id, { status: 'saving', updated_at: ctx.clock.now() });
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.repo.with(trx);
    const now = ctx.clock.now();
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
    await audit(trx, actor, 'authority-import.applied', 'authority-import', id, null);
  });
}

export async function getImport(ctx: AuthoritiesContext, actor: Actor, id: string): Promise<ImportProgress> {
  assertMay(actor, 'authorities:import');
  const row = await ctx.repo.findImport(id);
  if (!row) throw notFound('The import');
  return toProgress(row, ctx.clock.now());
}

export async function recentImports(ctx: AuthoritiesContext, actor: Actor, limit = 5): Promise<ImportProgress[]> {
  assertMay(actor, 'authorities:import');
  const now = ctx.clock.now();
  return (await ctx.repo.recentImports(limit)).map((r) => toProgress(r, now));
}

type ImportRecord = NonNullable<Awaited<ReturnType<AuthoritiesRepository['findImport']>>>;

function toProgress(row: ImportRecord, now: Date): ImportProgress {
  const finished = row.status === 'succeeded' || row.status === 'failed';
  const stalled = !finished && now.getTime() - row.updated_at.getTime() > STALLED_AFTER_MS;
  const percent =
    row.status === 'saving' || row.status === 'succeeded'
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
