import { formatDate } from '../../platform/dates.ts';
import { SERVICE_AREAS, SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { formatUkPhone } from '../link-officers/domain.ts';
import type { PartyRow } from './complaints.repository.ts';
import { NOT_ALLOCATED, type CaseListQuery } from './complaints.schemas.ts';
import {
  ASSESSMENT_OUTCOMES,
  ASSESSMENT_OUTCOME_NAMES,
  OUTCOME_NAMES,
  STATUSES,
  STATUS_NAMES,
  type ComplaintOutcome,
  type ComplaintStatus,
} from './domain.ts';
import { URGENT_KEYS, URGENT_NAMES } from './rules.ts';
import { STEPS, stepBySlug, type Answers } from './public-form.ts';

/** How the complaint pages show what they show: case rows, the items of their controls, answers. */

export const serviceAreaName = (a: string) => SERVICE_AREA_NAMES[a as ServiceArea] ?? a;

/**
 * A case list row: the summary with the names shown. Built with Object.assign because an object
 * spread followed by more properties takes V8's slow path, a few microseconds for every row.
 */
export const caseRow = <T extends { status: ComplaintStatus; serviceArea: string; outcome: ComplaintOutcome | null }>(
  c: T,
) =>
  Object.assign(
    {
      statusName: STATUS_NAMES[c.status],
      serviceAreaName: serviceAreaName(c.serviceArea),
      outcomeName: c.outcome ? OUTCOME_NAMES[c.outcome] : null,
    },
    c,
  );

/** An investigator as the lists of them give them. */
export interface Investigator {
  id: string;
  display_name: string;
}

/** The case list's status filter. */
export const statusItems = (selected: string | undefined) => [
  { value: '', text: 'Any status' },
  ...STATUSES.map((s) => ({ value: s, text: STATUS_NAMES[s], selected: selected === s })),
];

/** A select of the services, after a first item (`Any service`, `Select a service`). */
export const serviceAreaItems = (first: string, selected: unknown) => [
  { value: '', text: first },
  ...SERVICE_AREAS.map((a) => ({ value: a, text: SERVICE_AREA_NAMES[a], selected: selected === a })),
];

/** The case list's investigator filter: anyone, cases waiting for one, or one of them. */
export const investigatorFilterItems = (investigators: readonly Investigator[], selected: string | undefined) => [
  { value: '', text: 'Anyone' },
  { value: NOT_ALLOCATED, text: 'Not allocated (under investigation)', selected: selected === NOT_ALLOCATED },
  ...investigators.map((i) => ({ value: i.id, text: i.display_name, selected: selected === i.id })),
];

/** A select to choose an investigator. */
export const investigatorChoiceItems = (investigators: readonly Investigator[], selected: unknown) => [
  { value: '', text: 'Select an investigator' },
  ...investigators.map((i) => ({ value: i.id, text: i.display_name, selected: selected === i.id })),
];

/** The assessment's outcomes as radios, the one kept from the form ticked. */
export const assessmentOutcomeItems = (chosen: unknown) =>
  ASSESSMENT_OUTCOMES.map((o) => ({ value: o, text: ASSESSMENT_OUTCOME_NAMES[o], checked: chosen === o }));

/** The staff form's urgency checkboxes, those kept from the form (one value or a list) ticked. */
export const urgentOptions = (kept: unknown) =>
  Object.entries(URGENT_KEYS).map(([value, flag]) => ({
    value,
    text: URGENT_NAMES[flag],
    checked: ([] as unknown[]).concat(kept ?? []).includes(value),
  }));

/** Query string of the case list's filters, plus extra parameters. */
export function listQueryString(q: CaseListQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of [
    'status',
    'authorityId',
    'serviceArea',
    'investigatorId',
    'urgent',
    'overdue',
    'reference',
  ] as const) {
    const v = q[k];
    if (v) p.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * A complainant or representative as the staff case page shows them: the same details for each,
 * phone numbers as written in the UK (numbers kept before they were checked are shown as given).
 */
export function partyDisplay(p: PartyRow, heading: string) {
  return {
    heading,
    id: p.role,
    name: p.name,
    email: p.email,
    phone: p.phone?.startsWith('+44') ? formatUkPhone(p.phone) : p.phone,
    address: p.address,
    communicationNeeds: p.communication_needs,
    relationship: p.role === 'representative' ? (p.relationship ?? 'Not given') : null,
    consentToShare: p.consent_to_share,
  };
}

/** The public form's answers as form values (dates split into GOV.UK's three fields). */
export function answerValues(a: Answers): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  if (typeof a.phone === 'string' && a.phone.startsWith('+44')) out.phone = formatUkPhone(a.phone);
  for (const k of ['finalResponseOn', 'complainedOn', 'awareOn']) {
    const v = a[k];
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
      out[`${k}-year`] = v.slice(0, 4);
      out[`${k}-month`] = String(Number(v.slice(5, 7)));
      out[`${k}-day`] = String(Number(v.slice(8, 10)));
    }
  }
  return out;
}

/** Check your answers: a summary row for each question that applies, with its link to change it. */
export function checkAnswersRows(answers: Answers, authorityName: string | null) {
  return STEPS.filter((s) => s.applies(answers)).map((s) => ({
    key: { text: s.label },
    value: { text: displayAnswer(s.slug, answers, authorityName) },
    actions: {
      items: [{ href: `/complain/${s.slug}?change=1`, text: 'Change', visuallyHiddenText: s.label.toLowerCase() }],
    },
  }));
}

const longDate = (iso: string) => formatDate(iso) || iso;

/** One answer as text for check-your-answers. */
export function displayAnswer(slug: string, a: Answers, authorityName: string | null): string {
  const s = (k: string) => {
    const v = a[k];
    return typeof v === 'string' ? v : '';
  };
  const step = stepBySlug(slug);
  switch (slug) {
    case 'authority':
      return authorityName ?? 'Not found: choose again';
    case 'final-response-date':
    case 'complained-date':
    case 'aware-date':
      return longDate(s(step?.name ?? ''));
    case 'urgent': {
      const list = Array.isArray(a.urgent) ? (a.urgent as string[]) : [];
      const names = list.map((k) => {
        const flag = URGENT_KEYS[k];
        return flag ? URGENT_NAMES[flag] : k;
      });
      return names.length > 0 ? names.join(', ') : 'None of these';
    }
    case 'person':
      return [s('complainantName'), s('relationship')].filter(Boolean).join(', ');
    case 'your-details':
      return [s('name'), s('email'), s('phone') && formatUkPhone(s('phone'))].filter(Boolean).join('\n');
    case 'attachments': {
      const docs = Array.isArray(a.documents) ? (a.documents as { filename: string }[]) : [];
      return docs.length > 0 ? docs.map((d) => d.filename).join('\n') : 'None';
    }
    case 'needs':
      return s('communicationNeeds') || 'None';
    case 'their-needs':
      return s('complainantNeeds') || 'None';
    default: {
      if (step?.kind === 'radios') return step.options?.find((o) => o.value === s(step.name ?? ''))?.text ?? '';
      return s(step?.name ?? '');
    }
  }
}
