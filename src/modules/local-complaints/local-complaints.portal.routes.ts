import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { renderFragment } from '../../http/views.ts';
import { invalid } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { can } from '../accounts/domain.ts';
import { SERVICE_AREAS, SERVICE_AREA_NAMES } from '../authorities/domain.ts';
import {
  CHANNELS,
  CHANNEL_NAMES,
  OUTCOMES,
  OUTCOME_NAMES,
  STATUTORY_ROUTES,
  STATUTORY_ROUTE_NAMES,
  working,
  type StatutoryRoute,
} from './domain.ts';
import { IMPORT_FIELDS, MAX_UPLOAD_BYTES, type ColumnMapping } from './local-complaints.csv.ts';
import {
  SELF_ASSESSMENT_SECTIONS,
  acknowledgeForm,
  closeForm,
  escalateForm,
  extendForm,
  logQuery,
  newForm,
  respondForm,
  selfAssessmentForm,
  yearQuery,
} from './local-complaints.schemas.ts';
import { DUE_TEXT, logFilterItems, logNextHref, logRows, type LogFilter } from './presenters.ts';
import { oversightView, selfAssessmentPdf, selfAssessmentView } from './oversight.ts';

const HOME = '/portal/local-complaints';
const importParams = z.object({ importId: z.uuid() });
const progressQuery = z.object({ auto: z.string().optional().catch(undefined) });

const isFiltered = (filter: LogFilter) => Object.values(filter).some((v) => v !== undefined);

/**
 * The log's filter form (four GOV.UK controls) shows only the filters' values, so it is rendered once
 * for each set of them and kept, as the case list's is.
 */
const filterForms = new LRUCache<string, string>({ max: 500 });

function logFilterForm(filter: LogFilter): string {
  const key = JSON.stringify([filter.serviceArea, filter.stage, filter.state, filter.reference]);
  let html = filterForms.get(key);
  if (html === undefined) {
    html = renderFragment('local-complaints/views/partials/log-filters.njk', {
      filter,
      filtered: isFiltered(filter),
      ...logFilterItems(filter),
    });
    filterForms.set(key, html);
  }
  return html;
}

/** The portal: the authority's complaints log, entry, events, import, oversight and self-assessment. */
export function localComplaintsPortalRoutes(services: Services): PageRoute[] {
  const { localComplaints } = services;
  const recordPage = (id: string) => `${HOME}/${id}`;

  const eventForm = <B extends z.ZodType>(
    path: string,
    body: B,
    toEvent: (b: z.output<B>) => Parameters<typeof localComplaints.recordEvent>[2],
    notice: string,
  ) =>
    form({
      url: `${HOME}/:id/${path}`,
      access: 'local-complaints:manage',
      params: withId,
      body,
      back: ({ params }) => `${recordPage(params.id)}#${path}`,
      action: async ({ actor, params, body }) => {
        await localComplaints.recordEvent(actor, params.id, toEvent(body));
        return { to: recordPage(params.id), notice };
      },
    });

  return [
    page({
      url: HOME,
      access: 'local-complaints:read',
      query: logQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const { cursor, ...filter } = query;
        const list = await localComplaints.log(actor, filter, cursor);
        return reply.render('local-complaints/views/log.njk', {
          rows: logRows(list.items),
          filterForm: logFilterForm(filter),
          filtered: isFiltered(filter),
          firstPage: !cursor,
          nextHref: logNextHref(filter, list.nextCursor),
          canManage: can(actor, 'local-complaints:manage'),
        });
      },
    }),
    page({
      url: `${HOME}/new`,
      access: 'local-complaints:manage',
      handler: async (_input, _request, reply) =>
        reply.render('local-complaints/views/new.njk', {
          areas: SERVICE_AREAS.map((a) => ({ value: a, text: SERVICE_AREA_NAMES[a] })),
          channels: CHANNELS.map((c) => ({ value: c, text: CHANNEL_NAMES[c] })),
          routes: [
            { value: 'code', text: 'The Complaint Handling Code (stage 1, then stage 2)' },
            ...STATUTORY_ROUTES.map((r) => ({ value: r, text: STATUTORY_ROUTE_NAMES[r] })),
          ],
        }),
    }),
    form({
      url: `${HOME}/new`,
      access: 'local-complaints:manage',
      body: newForm,
      back: `${HOME}/new`,
      action: async ({ actor, body }) => {
        const created = await localComplaints.create(actor, {
          reference: body.reference,
          receivedOn: body.receivedOn,
          serviceArea: body.serviceArea,
          channel: body.channel,
          complainant: { name: body.name, email: body.email, phone: body.phone },
          summary: body.summary,
          handler: body.handler,
          statutoryRoute: body.route === 'code' ? null : body.route,
        });
        return { to: recordPage(created.id), notice: `Complaint ${body.reference} is in your log.` };
      },
    }),
    page({
      url: `${HOME}/import`,
      access: 'local-complaints:manage',
      handler: async ({ actor }, _request, reply) => {
        const [mapping, imports] = await Promise.all([
          localComplaints.mapping(actor),
          localComplaints.recentImports(actor),
        ]);
        return reply.render('local-complaints/views/import.njk', {
          fields: IMPORT_FIELDS.map((f) => Object.assign({ column: mapping[f.field] }, f)),
          imports,
          maxMegabytes: MAX_UPLOAD_BYTES / 1024 / 1024,
        });
      },
    }),
    form({
      url: `${HOME}/import`,
      access: 'local-complaints:manage',
      // A multipart form: the file is read in the action, under the import's own limit.
      body: z.unknown(),
      back: `${HOME}/import`,
      bodyLimit: MAX_UPLOAD_BYTES + 1024 * 1024,
      action: async ({ actor }, request) => {
        const missing = [{ field: 'file', message: 'Select a CSV file' }];
        if (!request.isMultipart()) throw invalid(missing);
        const file = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
        if (!file) throw invalid(missing);
        let bytes: Buffer;
        try {
          bytes = await file.toBuffer();
        } catch (error) {
          if (error instanceof Error && 'code' in error && error.code === 'FST_REQ_FILE_TOO_LARGE')
            throw invalid([
              { field: 'file', message: `The selected file must be smaller than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` },
            ]);
          throw error;
        }
        if (bytes.length === 0 && !file.filename) throw invalid(missing);
        const mapping: ColumnMapping = {};
        for (const f of IMPORT_FIELDS) {
          const field = file.fields[`column-${f.field}`];
          const one = Array.isArray(field) ? field[0] : field;
          if (one && 'value' in one && typeof one.value === 'string') {
            const value = one.value.trim();
            if (value.length > 100)
              throw invalid([{ field: `column-${f.field}`, message: 'A column name must be 100 characters or fewer' }]);
            mapping[f.field] = value;
          }
        }
        const id = await localComplaints.checkImport(actor, file.filename, bytes, mapping);
        return `${HOME}/imports/${id}`;
      },
    }),
    page({
      url: `${HOME}/imports/:importId`,
      access: 'local-complaints:manage',
      params: importParams,
      query: progressQuery,
      handler: async ({ actor, params, query }, _request, reply) => {
        const found = await localComplaints.getImport(actor, params.importId);
        const running = found.status === 'saving';
        const autoRefresh = running && query.auto !== 'off';
        // While it runs, the page reloads itself every few seconds (an HTTP header, no script), unless turned off.
        if (autoRefresh) reply.header('refresh', '2');
        return reply.render('local-complaints/views/import-result.njk', {
          imp: found,
          running,
          autoRefresh,
          percent:
            found.total_rows > 0
              ? Math.floor((found.processed_rows / Math.max(1, found.to_create + found.to_update)) * 100)
              : 0,
        });
      },
    }),
    form({
      url: `${HOME}/imports/:importId/apply`,
      access: 'local-complaints:manage',
      params: importParams,
      body: z.object({}),
      back: ({ params }) => `${HOME}/imports/${params.importId}`,
      action: async ({ actor, params }) => {
        await localComplaints.applyImport(actor, params.importId);
        return { to: `${HOME}/imports/${params.importId}`, notice: 'The import has started.' };
      },
    }),
    page({
      url: `${HOME}/oversight`,
      access: 'local-complaints:read',
      query: yearQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const data = await localComplaints.oversight(actor, query.year);
        return reply.render('local-complaints/views/oversight.njk', oversightView(data));
      },
    }),
    page({
      url: `${HOME}/self-assessment`,
      access: 'local-complaints:read',
      query: yearQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const data = await localComplaints.oversight(actor, query.year);
        const [text, name] = await Promise.all([
          localComplaints.selfAssessmentText(actor, data.period.label),
          localComplaints.authorityName(actor),
        ]);
        return reply.render('local-complaints/views/self-assessment.njk', {
          ...selfAssessmentView(data, text, name),
          sections: SELF_ASSESSMENT_SECTIONS,
          canManage: can(actor, 'local-complaints:manage'),
          year: query.year ?? Number(data.period.from.slice(0, 4)),
        });
      },
    }),
    form({
      url: `${HOME}/self-assessment`,
      access: 'local-complaints:manage',
      query: yearQuery,
      body: selfAssessmentForm,
      back: ({ query }) => `${HOME}/self-assessment${query.year ? `?year=${query.year}` : ''}`,
      action: async ({ actor, query, body, back }) => {
        const data = await localComplaints.oversight(actor, query.year);
        await localComplaints.saveSelfAssessment(actor, data.period.label, body);
        return { to: back, notice: 'The draft is saved.' };
      },
    }),
    page({
      url: `${HOME}/self-assessment.pdf`,
      access: 'local-complaints:read',
      query: yearQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const data = await localComplaints.oversight(actor, query.year);
        const [text, name] = await Promise.all([
          localComplaints.selfAssessmentText(actor, data.period.label),
          localComplaints.authorityName(actor),
        ]);
        const pdf = await selfAssessmentPdf(selfAssessmentView(data, text, name), SELF_ASSESSMENT_SECTIONS, new Date());
        return reply
          .header('content-type', 'application/pdf')
          .header(
            'content-disposition',
            `attachment; filename="complaints-self-assessment-${data.period.from.slice(0, 4)}.pdf"`,
          )
          .header('cache-control', 'no-store')
          .send(pdf);
      },
    }),
    page({
      url: `${HOME}/:id`,
      access: 'local-complaints:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const d = await localComplaints.get(actor, params.id);
        return reply.render('local-complaints/views/record.njk', {
          ...d,
          stages: d.stages.map((s) =>
            Object.assign(
              {
                ackWorking: working(s.clock.acknowledge),
                respondWorking: working(s.clock.respond),
                outcomeName: s.outcome ? (OUTCOME_NAMES[s.outcome as keyof typeof OUTCOME_NAMES] ?? s.outcome) : null,
              },
              s,
            ),
          ),
          current: d.stages.find((s) => s.stage === d.record.stage),
          nextStageName: d.rules[d.record.stage]?.name ?? null,
          areaName:
            SERVICE_AREA_NAMES[d.record.service_area as keyof typeof SERVICE_AREA_NAMES] ?? d.record.service_area,
          channelName: CHANNEL_NAMES[d.record.channel as keyof typeof CHANNEL_NAMES] ?? d.record.channel,
          routeName: d.record.statutory_route
            ? STATUTORY_ROUTE_NAMES[d.record.statutory_route as StatutoryRoute]
            : null,
          outcomes: OUTCOMES.map((o) => ({ value: o, text: OUTCOME_NAMES[o] })),
          canManage: can(actor, 'local-complaints:manage'),
          dueText: DUE_TEXT,
        });
      },
    }),
    eventForm(
      'acknowledge',
      acknowledgeForm,
      (b) => ({ type: 'acknowledged', on: b.on, handler: b.handler }),
      'The acknowledgement is recorded.',
    ),
    eventForm(
      'extend',
      extendForm,
      (b) => ({ type: 'extended', on: b.on, extensionWorkingDays: b.extensionWorkingDays, reason: b.reason }),
      'The extension is recorded.',
    ),
    eventForm(
      'respond',
      respondForm,
      (b) => ({ type: 'responded', on: b.on, outcome: b.outcome, toldOfOmbudsman: b.toldOfOmbudsman === 'yes' }),
      'The response is recorded.',
    ),
    eventForm(
      'escalate',
      escalateForm,
      (b) => ({ type: 'escalated', on: b.on, handler: b.handler }),
      'The complaint has moved to the next stage.',
    ),
    eventForm('close', closeForm, (b) => ({ type: 'closed', on: b.on, reason: b.reason }), 'The complaint is closed.'),
  ];
}
