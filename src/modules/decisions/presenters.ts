import { csvText } from '../../platform/csv.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import { FINAL_OUTCOMES, FINAL_OUTCOME_NAMES, REMEDY_TYPES, REMEDY_TYPE_NAMES, type RemedyProposal } from './domain.ts';

/** How the decision pages show what they show: form values, radio and checkbox items, findings rows. */

export const serviceAreaName = (id: string) => SERVICE_AREA_NAMES[id as ServiceArea] ?? id;

/** The final decision's outcomes as radios. */
export const outcomeItems = FINAL_OUTCOMES.map((o) => ({ value: o, text: FINAL_OUTCOME_NAMES[o] }));

/** The same, the one kept from the form ticked. */
export const checkedOutcomeItems = (chosen: unknown) =>
  outcomeItems.map((o) => ({ ...o, checked: chosen === o.value }));

/** The remedy type select of each remedy row of the draft form. */
export const remedyTypeItems = () => [
  { value: '', text: 'No remedy' },
  ...REMEDY_TYPES.map((t) => ({ value: t, text: REMEDY_TYPE_NAMES[t] })),
];

/** What the draft form needs of the latest draft. */
export interface LatestDraft {
  sections: readonly { key: string; text: string }[];
  remedies: readonly RemedyProposal[];
  evidence: readonly { id: string }[];
}

/** The draft form's values taken from the latest draft, so a new version starts from it. */
export function draftFormValues(latest: LatestDraft | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (!latest) return values;
  for (const s of latest.sections) values[s.key] = s.text;
  latest.remedies.forEach((r, i) => {
    values[`remedy-${i + 1}-type`] = r.type;
    values[`remedy-${i + 1}-description`] = r.description;
    values[`remedy-${i + 1}-amount`] = r.amountPence != null ? (r.amountPence / 100).toFixed(2) : '';
    values[`remedy-${i + 1}-days`] = r.dueInWorkingDays ?? '';
  });
  return values;
}

/** The evidence checkboxes: the case's documents, ticked as the form had them or, failing that, as the latest draft chose. */
export function evidenceItems(
  documents: readonly { id: string; filename: string }[],
  values: Record<string, unknown>,
  latest: LatestDraft | undefined,
) {
  const chosen = new Set(
    ([] as unknown[]).concat(values.evidence ?? latest?.evidence.map((e) => e.id) ?? []).map(String),
  );
  return documents.map((d) => ({ value: d.id, text: d.filename, checked: chosen.has(d.id) }));
}

/** A row of the authority's findings, as the service gives it. */
export interface FindingRow {
  reference: string;
  serviceArea: string;
  decidedOn: string;
  outcomeName: string;
  formName: string;
  remedies: readonly string[];
  statement: string;
}

/** The findings as a CSV file, with a header row. */
export function findingsCsv(rows: readonly FindingRow[]): string {
  return csvText(
    rows.map((r) => [
      r.reference,
      serviceAreaName(r.serviceArea),
      r.decidedOn,
      r.outcomeName,
      r.formName,
      r.remedies.join('; '),
      r.statement,
    ]),
    {
      header: true,
      columns: ['Reference', 'Service', 'Decided on', 'Finding', 'Decision or report', 'Remedies', 'Statement'],
    },
  );
}
