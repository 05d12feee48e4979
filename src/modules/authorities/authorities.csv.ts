import { CsvError, parse } from 'csv-parse/sync';
import { csvCell } from '../../platform/csv.ts';
import type { FieldError } from '../../platform/errors.ts';
import { AUTHORITY_KINDS, KIND_NAMES, REGIONS, SERVICE_AREAS, SERVICE_AREA_NAMES, type ServiceArea } from './domain.ts';

/**
 * The directory's CSV format: the columns and what each holds, what a checked row holds, and
 * reading a file into rows (its encoding and header row). Each row's values are checked in
 * authorities.csv-rows.ts; the export and the template are written by authorities.csv-export.ts.
 * Pure: no I/O.
 */

export interface ImportColumn {
  name: string;
  required: boolean;
  description: string;
}

export const IMPORT_COLUMNS: readonly ImportColumn[] = [
  { name: 'name', required: true, description: 'The authority’s name.' },
  {
    name: 'kind',
    required: true,
    description: `One of: ${AUTHORITY_KINDS.map((k) => `${k} (${KIND_NAMES[k]})`).join(', ')}. The id or the name.`,
  },
  {
    name: 'reference',
    required: true,
    description:
      'A stable external reference, such as an ONS/GSS code or a care regulator’s location id. An authority with the same reference is updated; otherwise one is added.',
  },
  { name: 'address', required: false, description: 'The postal address, on one line or several.' },
  { name: 'region', required: false, description: `One of: ${REGIONS.join(', ')}.` },
  { name: 'generic_inbox', required: false, description: 'The email address for ombudsman correspondence.' },
  { name: 'chief_executive_title', required: false, description: 'The chief executive’s title, such as Ms or Dr.' },
  { name: 'chief_executive_name', required: true, description: 'The chief executive’s (or equivalent’s) name.' },
  { name: 'chief_executive_job_title', required: true, description: 'The chief executive’s job title.' },
  { name: 'chief_executive_email', required: true, description: 'The chief executive’s email address.' },
  { name: 'monitoring_officer_title', required: false, description: 'The monitoring officer’s title.' },
  {
    name: 'monitoring_officer_name',
    required: false,
    description: 'The monitoring officer’s name. Leave the monitoring officer columns empty to remove one held.',
  },
  { name: 'monitoring_officer_job_title', required: false, description: 'The monitoring officer’s job title.' },
  { name: 'monitoring_officer_email', required: false, description: 'The monitoring officer’s email address.' },
];

/** The columns every file's header row must name. */
export const IMPORT_COLUMN_NAMES = IMPORT_COLUMNS.map((c) => c.name);
export const MAX_IMPORT_ROWS = 100_000;

/** An optional column: left out of the header row, every authority stays open or closed as it is. */
export const STATUS_COLUMN: ImportColumn = {
  name: 'status',
  required: false,
  description:
    'open or closed. Closed means the authority no longer exists or is no longer in jurisdiction. Leave it empty, or leave the column out, to keep the authority open or closed as it is (a new authority is open).',
};

/** The four columns of a head of service, named after the service area: head_of_housing_name and so on. */
export const HEAD_OF_SERVICE_FIELDS = [
  { field: 'title', required: false, description: 'The head of service’s title, such as Ms or Dr.' },
  { field: 'name', required: true, description: 'The head of service’s name.' },
  { field: 'job_title', required: true, description: 'The head of service’s job title.' },
  { field: 'email', required: true, description: 'The head of service’s email address.' },
] as const;
export type HeadOfServiceField = (typeof HEAD_OF_SERVICE_FIELDS)[number]['field'];

/** The start of a service area's column names: `head_of_` + the service area with underscores + `_`. */
const headPrefix = (area: ServiceArea): string => `head_of_${area.replaceAll('-', '_')}_`;

/** A head of service column, such as head_of_childrens_services_job_title. */
export const headColumn = (area: ServiceArea, field: HeadOfServiceField): string => `${headPrefix(area)}${field}`;

/** Each service area's group of head of service columns, in the directory's order of service areas. */
export const HEAD_OF_SERVICE_GROUPS = SERVICE_AREAS.map((area) => ({
  area,
  areaName: SERVICE_AREA_NAMES[area],
  prefix: headPrefix(area),
  columns: HEAD_OF_SERVICE_FIELDS.map((f) => headColumn(area, f.field)),
}));

const AFTER_REGION = IMPORT_COLUMN_NAMES.indexOf('region') + 1;

/**
 * Every column a file may have, in the order of the template and the export (status after region,
 * as the directory shows it): an exported file can be imported again as it is.
 */
export const ALL_COLUMN_NAMES: readonly string[] = [
  ...IMPORT_COLUMN_NAMES.slice(0, AFTER_REGION),
  STATUS_COLUMN.name,
  ...IMPORT_COLUMN_NAMES.slice(AFTER_REGION),
  ...HEAD_OF_SERVICE_GROUPS.flatMap((g) => g.columns),
];

/** One checked row of an import file, as the staging table holds it. */
export interface ImportRow {
  name: string;
  kind: string;
  reference: string;
  address: string | null;
  region: string | null;
  generic_inbox: string | null;
  ce_title: string | null;
  ce_name: string;
  ce_job_title: string;
  ce_email: string;
  mo_title: string | null;
  mo_name: string | null;
  mo_job_title: string | null;
  mo_email: string | null;
  /** True to reopen the authority, false to close it, null to leave it as it is. */
  active: boolean | null;
  /**
   * Heads of service by area: a head to record, or null to remove the one held. An area the file
   * has no columns for is absent (its head is left as it is); null when the file has none at all.
   */
  heads: ImportHeads | null;
}

export interface ImportHead {
  title: string | null;
  name: string;
  job_title: string;
  email: string;
}
export type ImportHeads = Partial<Record<ServiceArea, ImportHead | null>>;

export interface RowError {
  row: number;
  column: string;
  message: string;
}

export interface ParsedFile {
  /** Data rows keyed by column name, with their row numbers (the header is row 1). */
  rows: { row: number; values: Record<string, string> }[];
}

const fileError = (message: string): FieldError[] => [{ field: 'file', message }];

/** Decodes a file as UTF-8 (a UTF-8 byte order mark is allowed); anything else is refused. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { errors: FieldError[] } {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return {
      errors: fileError('The selected file is saved as UTF-16. Save it as “CSV UTF-8” and upload it again'),
    };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.startsWith('\uFEFF') ? text.slice(1) : text };
  } catch {
    return {
      errors: fileError('The selected file is not saved as UTF-8. Save it as “CSV UTF-8” and upload it again'),
    };
  }
}

/**
 * Reads an import file: UTF-8, a header row naming every documented column (in any order, any
 * letter case), then one authority per row. File-level problems come back as `errors` on `file`.
 */
export function parseImportFile(bytes: Uint8Array): ParsedFile | { errors: FieldError[] } {
  if (bytes.length === 0) return { errors: fileError('The selected file is empty') };
  const decoded = decodeUtf8(bytes);
  if ('errors' in decoded) return decoded;
  if (decoded.text.includes('\u0000')) return { errors: fileError('The selected file must be a CSV file') };
  let records: string[][];
  try {
    records = parse(decoded.text, { relax_column_count: true, skip_empty_lines: true });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      return {
        errors: fileError(
          `The selected file could not be read as CSV${line ? ` (near line ${line})` : ''}: check quotes are paired`,
        ),
      };
    }
    throw error;
  }
  const [header, ...data] = records;
  if (!header || header.every((h) => h.trim() === '')) return { errors: fileError('The selected file is empty') };
  const columns = header.map((h) => h.trim().toLowerCase());
  const missing = IMPORT_COLUMN_NAMES.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !ALL_COLUMN_NAMES.includes(c));
  const duplicated = columns.filter((c, i) => columns.indexOf(c) !== i);
  const problems: FieldError[] = [];
  if (missing.length > 0)
    problems.push({
      field: 'file',
      message: `The header row of the selected file is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    });
  for (const group of HEAD_OF_SERVICE_GROUPS) {
    const absent = group.columns.filter((c) => !columns.includes(c));
    if (absent.length > 0 && absent.length < group.columns.length)
      problems.push({
        field: 'file',
        message: `The header row of the selected file has some of the ${group.prefix} columns but not ${absent.join(', ')}: include all four columns of the head of ${group.areaName.toLowerCase()}, or none of them`,
      });
  }
  if (unknown.length > 0)
    problems.push({
      field: 'file',
      message: `The header row of the selected file has unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => u || '(blank)').join(', ')}`,
    });
  if (duplicated.length > 0)
    problems.push({ field: 'file', message: `The header row names ${duplicated.join(', ')} more than once` });
  if (problems.length > 0) return { errors: problems };
  if (data.length === 0) return { errors: fileError('The selected file has a header row but no authorities') };
  if (data.length > MAX_IMPORT_ROWS)
    return {
      errors: fileError(`The selected file must have ${MAX_IMPORT_ROWS.toLocaleString('en-GB')} authorities or fewer`),
    };
  return {
    rows: data.map((record, i) => {
      const values: Record<string, string> = {};
      // A cell the export guarded against spreadsheet formulas reads back as it was.
      columns.forEach((c, j) => (values[c] = csvCell(record[j] ?? '')));
      // A row longer than the header is reported on its first extra cell.
      if (record.length > columns.length) values.__extra = String(record.length);
      return { row: i + 2, values };
    }),
  };
}
