import { z } from 'zod';
import { textProblem } from '../../platform/input.ts';
import {
  HEAD_OF_SERVICE_GROUPS,
  STATUS_COLUMN,
  headColumn,
  type HeadOfServiceField,
  type ImportHead,
  type ImportHeads,
  type ImportRow,
  type RowError,
} from './authorities.csv.ts';
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
import { SERVICE_AREA_NAMES, type ServiceArea } from './domain.ts';

/** The checks on one data row of an import file, and the row as the staging table holds it. Pure: no I/O. */

/** An officer's columns are all empty, or give a name, a job title and an email: those missing. */
function missingOfficerFields(officer: {
  title: string | null;
  name: string | null;
  job_title: string | null;
  email: string | null;
}): ('name' | 'job_title' | 'email')[] {
  if (!(officer.title || officer.name || officer.job_title || officer.email)) return [];
  return (['name', 'job_title', 'email'] as const).filter((field) => !officer[field]);
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
    const messages = {
      name: 'Enter the monitoring officer’s name',
      job_title: 'Enter the monitoring officer’s job title',
      email: 'Enter the monitoring officer’s email address',
    };
    const missing = missingOfficerFields({
      title: r.monitoring_officer_title,
      name: r.monitoring_officer_name,
      job_title: r.monitoring_officer_job_title,
      email: r.monitoring_officer_email,
    });
    for (const field of missing)
      ctx.addIssue({ code: 'custom', path: [`monitoring_officer_${field}`], message: messages[field] });
  });

const statusField = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const status = v.toLowerCase();
    if (status === '') return null;
    if (status === 'open') return true;
    if (status === 'closed') return false;
    ctx.addIssue({
      code: 'custom',
      message: 'Enter open or closed, or leave the status empty to keep the authority as it is',
    });
    return z.NEVER;
  });

/** One head of service's columns: all empty (remove the head), or a name, job title and email. */
const headGroupSchema = (area: ServiceArea) => {
  const who = `the head of ${SERVICE_AREA_NAMES[area].toLowerCase()}`;
  return z
    .object({
      title: optionalText('Title', 50),
      name: optionalText('Name', NAME_MAX),
      job_title: optionalText('Job title', JOB_TITLE_MAX),
      email: optionalEmail(`the email address of ${who}`),
    })
    .superRefine((h, ctx) => {
      const messages = {
        name: `Enter the name of ${who}, or leave all their columns empty`,
        job_title: `Enter the job title of ${who}`,
        email: `Enter the email address of ${who}`,
      };
      for (const field of missingOfficerFields(h))
        ctx.addIssue({ code: 'custom', path: [field], message: messages[field] });
    })
    .transform((h): ImportHead | null =>
      h.name && h.job_title && h.email
        ? { title: h.title, name: h.name, job_title: h.job_title, email: h.email }
        : null,
    );
};
const HEAD_GROUP_SCHEMAS = HEAD_OF_SERVICE_GROUPS.map((g) => ({ ...g, schema: headGroupSchema(g.area) }));

/** Checks one data row (an object keyed by column name). Row numbers count the header as row 1. */
export function checkRow(values: Record<string, string>, row: number): { row: ImportRow } | { errors: RowError[] } {
  const errors: RowError[] =
    values.__extra === undefined
      ? []
      : [{ row, column: 'row', message: 'The row has more cells than the header row has columns' }];
  for (const [column, value] of Object.entries(values)) {
    const problem = textProblem(value);
    if (problem) errors.push({ row, column, message: problem });
  }
  if (errors.length > 0) return { errors };
  const report = (issues: readonly z.core.$ZodIssue[], columnOf: (path: string | undefined) => string) => {
    const seen = new Set<string>();
    for (const issue of issues) {
      const column = columnOf(issue.path[0] === undefined ? undefined : String(issue.path[0]));
      if (seen.has(column)) continue;
      seen.add(column);
      errors.push({ row, column, message: issue.message });
    }
  };

  const result = rowSchema.safeParse(values);
  if (!result.success) report(result.error.issues, (c) => c ?? 'row');

  let active: boolean | null = null;
  if (Object.hasOwn(values, STATUS_COLUMN.name)) {
    const status = statusField.safeParse(values[STATUS_COLUMN.name]);
    if (status.success) active = status.data;
    else report(status.error.issues, () => STATUS_COLUMN.name);
  }

  // A service area's columns are all in the header row or none are (parseImportFile checks).
  let heads: ImportHeads | null = null;
  for (const group of HEAD_GROUP_SCHEMAS) {
    if (!Object.hasOwn(values, headColumn(group.area, 'name'))) continue;
    heads ??= {};
    const parsed = group.schema.safeParse({
      title: values[headColumn(group.area, 'title')],
      name: values[headColumn(group.area, 'name')],
      job_title: values[headColumn(group.area, 'job_title')],
      email: values[headColumn(group.area, 'email')],
    });
    if (parsed.success) heads[group.area] = parsed.data;
    else report(parsed.error.issues, (field) => headColumn(group.area, (field ?? 'name') as HeadOfServiceField));
  }

  if (!result.success || errors.length > 0) return { errors };
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
      active,
      heads,
    },
  };
}
