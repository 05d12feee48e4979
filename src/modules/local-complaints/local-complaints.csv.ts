import { CsvError, parse } from 'csv-parse/sync';
import { isCalendarDate, textProblem } from '../../platform/input.ts';
import type { FieldError } from '../../platform/errors.ts';
import { decodeUtf8 } from '../authorities/authorities.csv.ts';
import { SERVICE_AREAS, SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import {
  CHANNELS,
  CHANNEL_NAMES,
  OUTCOMES,
  OUTCOME_NAMES,
  type Channel,
  type Outcome,
  type StatutoryRoute,
} from './domain.ts';

/**
 * Reading an authority's export of its complaints system: the fields Liaison takes, the column
 * of the file each comes from (the mapping, saved per authority), and the checks on each row.
 * Pure: no I/O.
 */

export const IMPORT_FIELDS = [
  { field: 'reference', label: 'Your reference', required: true },
  { field: 'received_on', label: 'Date received', required: true },
  { field: 'service_area', label: 'Service area', required: true },
  { field: 'channel', label: 'How it was made', required: false },
  { field: 'complainant_name', label: 'Complainant’s name', required: true },
  { field: 'complainant_email', label: 'Complainant’s email', required: false },
  { field: 'complainant_phone', label: 'Complainant’s telephone', required: false },
  { field: 'summary', label: 'Summary', required: true },
  { field: 'handler', label: 'Stage 1 handler', required: false },
  { field: 'statutory_route', label: 'Statutory route', required: false },
  { field: 'acknowledged_on', label: 'Stage 1 acknowledged on', required: false },
  { field: 'responded_on', label: 'Stage 1 response sent on', required: false },
  { field: 'outcome', label: 'Stage 1 outcome', required: false },
  { field: 'authority_reference', label: 'Authority code (to check the rows are yours)', required: false },
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number]['field'];
export type ColumnMapping = Partial<Record<ImportField, string>>;

export const MAX_IMPORT_ROWS = 100_000;
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface ImportRow {
  line: number;
  reference: string;
  receivedOn: string;
  serviceArea: ServiceArea;
  channel: Channel;
  complainantName: string;
  complainantEmail: string | null;
  complainantPhone: string | null;
  summary: string;
  handler: string | null;
  statutoryRoute: StatutoryRoute | null;
  acknowledgedOn: string | null;
  respondedOn: string | null;
  outcome: Outcome | null;
}

/** The column each field is read from: the saved mapping, else a column named as the field. */
export function effectiveMapping(saved: ColumnMapping): Record<ImportField, string> {
  const out = {} as Record<ImportField, string>;
  for (const f of IMPORT_FIELDS) out[f.field] = (saved[f.field] ?? '').trim() || f.field;
  return out;
}

const fileError = (message: string): FieldError[] => [{ field: 'file', message }];

/** The file's data rows keyed by field, with their line numbers, or why the file cannot be read. */
export function readImportFile(
  bytes: Uint8Array,
  mapping: Record<ImportField, string>,
): { rows: { line: number; values: Partial<Record<ImportField, string>> }[] } | { errors: FieldError[] } {
  if (bytes.length === 0) return { errors: fileError('The selected file is empty') };
  const decoded = decodeUtf8(bytes);
  if ('errors' in decoded) return decoded;
  if (decoded.text.includes('\u0000')) return { errors: fileError('The selected file must be a CSV file') };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes with where it was read (its line, for the refusals).
    records = parse(decoded.text, {
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError)
      return { errors: fileError('The selected file could not be read as CSV: check quotes are paired') };
    throw error;
  }
  const [header, ...data] = records;
  if (!header) return { errors: fileError('The selected file is empty') };
  const columns = header.record.map((h) => h.trim().toLowerCase());
  const missing = IMPORT_FIELDS.filter((f) => f.required && !columns.includes(mapping[f.field].toLowerCase()));
  if (missing.length > 0)
    return {
      errors: fileError(
        `The header row of the selected file has no column ${missing.map((f) => `“${mapping[f.field]}” (${f.label.toLowerCase()})`).join(', ')}: check the column names below match your file`,
      ),
    };
  if (data.length === 0) return { errors: fileError('The selected file has a header row but no complaints') };
  if (data.length > MAX_IMPORT_ROWS)
    return {
      errors: fileError(`The selected file must have ${MAX_IMPORT_ROWS.toLocaleString('en-GB')} complaints or fewer`),
    };
  const index = new Map<ImportField, number>();
  for (const f of IMPORT_FIELDS) {
    const i = columns.indexOf(mapping[f.field].toLowerCase());
    if (i >= 0) index.set(f.field, i);
  }
  return {
    rows: data.map(({ record, info }) => {
      const values: Partial<Record<ImportField, string>> = {};
      for (const [field, i] of index) values[field] = (record[i] ?? '').trim();
      return { line: info.lines, values };
    }),
  };
}

const MONTHS = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** A date as YYYY-MM-DD or DD/MM/YYYY (the way UK systems export them). */
export function importDate(value: string): string | null {
  const m = MONTHS.exec(value);
  const iso = m ? `${m[3] ?? ''}-${(m[2] ?? '').padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}` : value;
  return isCalendarDate(iso) ? iso : null;
}

const byName = <T extends string>(list: readonly T[], names: Record<T, string>, value: string): T | null => {
  const v = value.trim().toLowerCase();
  return list.find((x) => x === v || names[x].toLowerCase() === v) ?? null;
};

/** One row checked: the values to save, or every problem with it. */
export function checkImportRow(
  line: number,
  v: Partial<Record<ImportField, string>>,
  own: { reference: string | null },
  today: string,
): { row: ImportRow } | { problems: string[] } {
  const problems: string[] = [];
  for (const [field, value] of Object.entries(v)) {
    const p = value ? textProblem(value) : null;
    if (p) problems.push(`${field}: ${p}`);
  }
  const text = (field: ImportField, label: string, max: number, required: boolean): string | null => {
    const value = v[field] ?? '';
    if (!value) {
      if (required) problems.push(`Enter the ${label}`);
      return null;
    }
    if (value.length > max) problems.push(`The ${label} must be ${max} characters or fewer`);
    return value;
  };
  const date = (field: ImportField, label: string, required: boolean): string | null => {
    const value = v[field] ?? '';
    if (!value) {
      if (required) problems.push(`Enter the ${label}`);
      return null;
    }
    const d = importDate(value);
    if (!d) problems.push(`The ${label} “${value}” is not a real date (use YYYY-MM-DD or DD/MM/YYYY)`);
    else if (d > today) problems.push(`The ${label} must not be in the future`);
    return d;
  };
  if (v.authority_reference && own.reference && v.authority_reference.toLowerCase() !== own.reference.toLowerCase())
    problems.push(
      `The row is for another authority (${v.authority_reference}): only your own complaints can be imported`,
    );
  const reference = text('reference', 'reference', 50, true);
  const receivedOn = date('received_on', 'date received', true);
  const area = v.service_area ? byName(SERVICE_AREAS, SERVICE_AREA_NAMES, v.service_area) : null;
  if (v.service_area && !area) problems.push(`The service area “${v.service_area}” is not one Liaison knows`);
  if (!v.service_area) problems.push('Enter the service area');
  const channel = v.channel ? byName(CHANNELS, CHANNEL_NAMES, v.channel) : 'other';
  if (!channel) problems.push(`How it was made “${v.channel}” is not one of ${CHANNELS.join(', ')}`);
  const name = text('complainant_name', 'complainant’s name', 200, true);
  const email = text('complainant_email', 'complainant’s email', 254, false);
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problems.push(`The email address “${email}” is not valid`);
  const phone = text('complainant_phone', 'complainant’s telephone', 30, false);
  const summary = text('summary', 'summary', 5000, true);
  const handler = text('handler', 'handler', 200, false);
  const routeValue = (v.statutory_route ?? '').toLowerCase();
  let route: StatutoryRoute | null = null;
  if (routeValue === 'adult-social-care' || routeValue === 'adult') route = 'adult-social-care';
  else if (routeValue === 'childrens-social-care' || routeValue === 'children' || routeValue === 'childrens')
    route = 'childrens-social-care';
  else if (routeValue && !['no', 'none', 'code'].includes(routeValue))
    problems.push(
      `The statutory route “${v.statutory_route}” must be adult-social-care, childrens-social-care or empty`,
    );
  const ack = date('acknowledged_on', 'stage 1 acknowledgement date', false);
  const responded = date('responded_on', 'stage 1 response date', false);
  const outcome = v.outcome ? byName(OUTCOMES, OUTCOME_NAMES, v.outcome) : null;
  if (v.outcome && !outcome) problems.push(`The outcome “${v.outcome}” is not one of ${OUTCOMES.join(', ')}`);
  if (receivedOn && ack && ack < receivedOn)
    problems.push('The acknowledgement is dated before the complaint was received');
  if (receivedOn && responded && responded < receivedOn)
    problems.push('The response is dated before the complaint was received');
  if (ack && responded && responded < ack) problems.push('The response is dated before the acknowledgement');
  if (problems.length > 0 || !reference || !receivedOn || !area || !channel || !name || !summary) return { problems };
  return {
    row: {
      line,
      reference,
      receivedOn,
      serviceArea: area,
      channel,
      complainantName: name,
      complainantEmail: email,
      complainantPhone: phone,
      summary,
      handler,
      statutoryRoute: route,
      acknowledgedOn: ack,
      respondedOn: responded,
      outcome,
    },
  };
}
