import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeWhole } from '../../platform/files/write-whole.ts';
import { invalid } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import { currentYear, type OpenDataFile, type OpenDataFormat, type StatisticsContext } from './context.ts';
import { FIRST_YEAR, statisticsYear, yearLabel, yearOfDate } from './domain.ts';
import { yearObjectsOf } from './figures.ts';
import { yearCsv, yearJson } from './open-data.ts';
import type { StatisticsRepository } from './statistics.repository.ts';
import { visibleYear } from './years.ts';

// The summary table worked out again from the casework, and each published year's open data files
// written at the refresh and sent as they are.

async function removeQuietly(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true }).catch(() => undefined);
}

function openDataPath(dir: string, year: number, key: string, format: OpenDataFormat): string {
  return path.join(dir, `${year}-${key}.${format}`);
}

function openDataPaths(dir: string, year: number, key: string): string[] {
  return [openDataPath(dir, year, key, 'csv'), openDataPath(dir, year, key, 'json')];
}

/**
 * Works the figures of `year` out again from the casework (or, with no year, those of this year and
 * the last). A year in the future, or before the first complaint, is refused and changes nothing.
 */
export async function refresh(
  ctx: StatisticsContext,

  year?: number,
  options: { wait: boolean } = { wait: true },
): Promise<{ year: number; authorities: number }[]> {
  const current = currentYear(ctx);
  const first = await ctx.refresher.firstReceivedOn();
  const firstYear = first === null ? current : yearOfDate(first);
  if (year !== undefined) {
    if (year > current)
      throw invalid(
        [{ field: 'year', message: `${yearLabel(year)} has not started: the latest year is ${yearLabel(current)}` }],
        `Figures for ${yearLabel(year)} cannot be worked out yet`,
      );
    if (year < firstYear || year < FIRST_YEAR)
      throw invalid(
        [{ field: 'year', message: `There are no cases before ${yearLabel(firstYear)}` }],
        `There is nothing to count in ${yearLabel(year)}`,
      );
  }
  const years = year !== undefined ? [year] : [current - 1, current].filter((y) => y >= firstYear);
  const done: { year: number; authorities: number }[] = [];
  const written: string[] = [];
  const replaced: string[] = [];
  try {
    await ctx.refresher.transaction(async (repo) => {
      if (!(await repo.lockRefresh(options.wait))) return;
      await repo.refreshSlugs();
      for (const y of years) {
        done.push({
          year: y,
          authorities: await repo.refreshYear(statisticsYear(y), londonToday(ctx), ctx.clock.now()),
        });
        if (ctx.openDataDir === null) continue;
        const key = await writeOpenData(repo.figures, y, ctx.openDataDir);
        written.push(...openDataPaths(ctx.openDataDir, y, key));
        const previous = await repo.setOpenDataKey(y, key);
        if (previous !== null && previous !== key) replaced.push(...openDataPaths(ctx.openDataDir, y, previous));
      }
    });
  } catch (error) {
    // The files of a refresh that did not commit are named by nothing.
    await Promise.all(written.map(removeQuietly));
    throw error;
  }
  // Once the new key has committed, no one is sent the files it replaced (a reader that still sees
  // the old key, on a replica a moment behind, finds no file and builds the data from the table).
  await Promise.all(replaced.map(removeQuietly));
  return done;
}

/**
 * Writes the year's open data (every authority, as CSV and as JSON) from the table as `repo` sees
 * it (the refresh's transaction), as the public sees it once the year is published; returns its key.
 */
async function writeOpenData(repo: StatisticsRepository, year: number, dir: string): Promise<string> {
  const [rows, kinds] = await Promise.all([repo.nationalRows(year, null), repo.kindTotalsOfYear(year)]);
  const objects = yearObjectsOf(year, true, rows, kinds);
  const key = crypto.randomBytes(16).toString('hex');
  await writeWhole(openDataPath(dir, year, key, 'csv'), Buffer.from(yearCsv(objects)));
  await writeWhole(openDataPath(dir, year, key, 'json'), Buffer.from(yearJson(statisticsYear(year), objects)));
  return key;
}

/**
 * A published year's open data as the file written at its latest refresh; null when the year is not
 * published yet (its readers see figures the public does not) or its file is not there: the caller
 * then builds it with `yearObjects`. A year this reader may not see is a YearNotFound.
 */
export async function openDataFile(
  ctx: StatisticsContext,
  actor: Actor | null,
  year: number,
  format: OpenDataFormat,
): Promise<OpenDataFile | null> {
  const { chosen } = await visibleYear(ctx, actor, null, year);
  if (!chosen.published || chosen.openDataKey === null || ctx.openDataDir === null) return null;
  const file = openDataPath(ctx.openDataDir, chosen.year, chosen.openDataKey, format);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    return { stream: handle.createReadStream(), size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
