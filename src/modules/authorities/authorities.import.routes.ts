import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { csvText } from '../../platform/csv.ts';
import { invalid } from '../../platform/errors.ts';
import {
  HEAD_OF_SERVICE_FIELDS,
  HEAD_OF_SERVICE_GROUPS,
  IMPORT_COLUMNS,
  MAX_IMPORT_ROWS,
  STATUS_COLUMN,
} from './authorities.csv.ts';
import { templateRows } from './authorities.csv-export.ts';
import { MAX_ROW_ERRORS, type ImportStatus } from './authorities.service.ts';

const IMPORT_STATUS_TEXT: Record<ImportStatus, string> = {
  checking: 'checking rows',
  saving: 'saving',
  succeeded: 'imported',
  failed: 'not imported',
};

/** The largest CSV file the import page takes. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

const importParams = z.object({ importId: z.uuid() });
/** `?auto=off` stops the progress page reloading itself; anything else leaves it on. */
const progressQuery = z.object({ auto: z.string().optional().catch(undefined) });

/** Importing authorities from a CSV file: the page, its template, the upload and its progress. */
export function importRoutes(services: Services): PageRoute[] {
  const { authorities } = services;
  const back = '/staff/authorities/import';
  return [
    page({
      url: '/staff/authorities/import',
      access: 'authorities:import',
      handler: async ({ actor }, _request, reply) =>
        reply.render('authorities/views/import.njk', {
          columns: IMPORT_COLUMNS,
          statusColumn: STATUS_COLUMN,
          headFields: HEAD_OF_SERVICE_FIELDS,
          headGroups: HEAD_OF_SERVICE_GROUPS,
          maxRows: MAX_IMPORT_ROWS,
          maxMegabytes: MAX_UPLOAD_BYTES / 1024 / 1024,
          imports: await authorities.recentImports(actor),
          statusText: IMPORT_STATUS_TEXT,
        }),
    }),
    page({
      url: '/staff/authorities/import/template.csv',
      access: 'authorities:import',
      handler: async (_input, _request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="authorities-template.csv"')
          .send(csvText(templateRows())),
    }),
    form({
      url: '/staff/authorities/import',
      access: 'authorities:import',
      // A multipart form: the file is read in the action, under the import's own limit.
      body: z.unknown(),
      back,
      action: async ({ actor }, request) => {
        const missing = [{ field: 'file', message: 'Select a CSV file' }];
        if (!request.isMultipart()) throw invalid(missing);
        const file = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
        if (!file) throw invalid(missing);
        let bytes: Buffer;
        try {
          bytes = await file.toBuffer();
        } catch (error) {
          if (error instanceof Error && 'code' in error && error.code === 'FST_REQ_FILE_TOO_LARGE') {
            throw invalid([
              { field: 'file', message: `The selected file must be smaller than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` },
            ]);
          }
          throw error;
        }
        if (bytes.length === 0 && !file.filename) throw invalid(missing);
        const id = await authorities.startImport(actor, file.filename, bytes);
        return `/staff/authorities/import/${id}`;
      },
    }),
    page({
      url: '/staff/authorities/import/:importId',
      access: 'authorities:import',
      params: importParams,
      query: progressQuery,
      handler: async ({ actor, params, query }, _request, reply) => {
        const progress = await authorities.getImport(actor, params.importId);
        const running = progress.status === 'checking' || progress.status === 'saving';
        const autoRefresh = running && query.auto !== 'off';
        // While it runs, the page reloads itself every few seconds (an HTTP header, no script), unless turned off.
        if (autoRefresh) reply.header('refresh', '2');
        return reply.render('authorities/views/import-progress.njk', {
          progress,
          running,
          autoRefresh,
          maxErrors: MAX_ROW_ERRORS,
        });
      },
    }),
  ];
}
