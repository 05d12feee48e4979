import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { FieldError } from '../../platform/errors.ts';
import {
  JOB_TITLE_MAX,
  NAME_MAX,
  kindField,
  optionalEmail,
  optionalText,
  regionField,
  requiredEmail,
  requiredText,
} from './authorities.schemas.ts';
import { AUTHORITY_KINDS, KIND_NAMES, REGIONS } from './domain.ts';

/**
 * The directory's CSV format: the columns, what each holds, and the checks on a file and its rows.
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

export const IMPORT_COLUMN_NAMES = IMPORT_COLUMNS.map((c) => c.name);
export const MAX_IMPORT_ROWS = 100_000;

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
}

export interface RowError {
  row: number;
  column: string;
  message: string;
}

const rowSchema = z
  .object({
    name: requiredText('the authority’s name', 'Name', NAME_MAX),
    kind: kindField,
    reference: requiredText('a reference', 'Reference', 50),
    address: optionalText('Address', 500),
    region: regionField,
    generic_inbox: optionalEmail('the generic inbox'),
    chief_executive_title: optionalText('Title', 50),
    chief_executive_name: requiredText('the chief executive’s name', 'Name', NAME_MAX),
    chief_executive_job_title: requiredText('the chief executive’s job title', 'Job title', JOB_TITLE_MAX),
    chief_executive_email: requiredEmail('the chief executive’s email address'),
    monitoring_officer_title: optionalText('Title', 50),
    monitoring_officer_name: optionalText('Name', NAME_MAX),
    monitoring_officer_job_title: optionalText('Job title', JOB_TITLE_MAX),
    monitoring_officer_email: optionalEmail('the monitoring officer’s email address'),
  })
  .superRefine((r, ctx) => {
    const given = [
      r.monitoring_officer_title,
      r.monitoring_officer_name,
      r.monitoring_officer_job_title,
      r.monitoring_officer_email,
    ].some(Boolean);
    if (!given) return;
    const missing = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (!r.monitoring_officer_name) missing('monitoring_officer_name', 'Enter the monitoring officer’s name');
    if (!r.monitoring_officer_job_title)
      missing('monitoring_officer_job_title', 'Enter the monitoring officer’s job title');
    if (!r.monitoring_officer_email)
      missing('monitoring_officer_email', 'Enter the monitoring officer’s email address');
  });

/** Checks one data row (an object keyed by column name). Row numbers count the header as row 1. */
export function checkRow(values: Record<string, string>, row: number): { row: ImportRow } | { errors: RowError[] } {
  const result = rowSchema.safeParse(values);
  const extra: RowError[] =
    values.__extra === undefined
      ? []
      : [{ row, column: 'row', message: 'The row has more cells than the header row has columns' }];
  if (!result.success || extra.length > 0) {
    const seen = new Set<string>();
    const errors: RowError[] = [...extra];
    if (result.success) return { errors };
    for (const issue of result.error.issues) {
      const column = String(issue.path[0] ?? 'row');
      if (seen.has(column)) continue;
      seen.add(column);
      errors.push({ row, column, message: issue.message });
    }
    return { errors };
  }
  const r = result.data;
  return {
    row: {
      name: r.name,
      kind: r.kind,
      reference: r.reference,
      address: r.address,
      region: r.region,
      generic_inbox: r.generic_inbox,
      ce_title: r.chief_executive_title,
      ce_name: r.chief_executive_name,
      ce_job_title: r.chief_executive_job_title,
      ce_email: r.chief_executive_email,
      mo_title: r.monitoring_officer_name ? r.monitoring_officer_title : null,
      mo_name: r.monitoring_officer_name,
      mo_job_title: r.monitoring_officer_job_title,
      mo_email: r.monitoring_officer_email,
    },
  };
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
  const unknown = columns.filter((c) => !IMPORT_COLUMN_NAMES.includes(c));
  const duplicated = columns.filter((c, i) => columns.indexOf(c) !== i);
  const problems: FieldError[] = [];
  if (missing.length > 0)
    problems.push({
      field: 'file',
      message: `The header row of the selected file is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    });
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
      columns.forEach((c, j) => (values[c] = record[j] ?? ''));
      // A row longer than the header is reported on its first extra cell.
      if (record.length > columns.length) values.__extra = String(record.length);
      return { row: i + 2, values };
    }),
  };
}

/** The template a user downloads: the header row and one example authority. */
export function templateRows(): string[][] {
  return [
    IMPORT_COLUMN_NAMES,
    [
      'Example District Council',
      'district',
      'E07000999',
      'Council Offices, High Street, Exampleton, EX1 1AA',
      'South East',
      'ombudsman@example-district.example',
      'Ms',
      'Jane Example',
      'Chief Executive',
      'chief.executive@example-district.example',
      'Mr',
      'John Example',
      'Monitoring Officer',
      'monitoring.officer@example-district.example',
    ],
  ];
}
