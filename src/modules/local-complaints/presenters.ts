import type { z } from 'zod';
import { formatDate } from '../../platform/dates.ts';
import { SERVICE_AREAS, SERVICE_AREA_NAMES } from '../authorities/domain.ts';
import type { DueState } from './domain.ts';
import type { logQuery } from './local-complaints.schemas.ts';

/** The log's filters as the page was asked for them. */
export type LogFilter = Partial<Omit<z.output<typeof logQuery>, 'cursor'>>;

export const DUE_TEXT = { overdue: 'Overdue', 'due-soon': 'Due soon', 'on-track': 'On track' } as const;
const DUE_TAG = { overdue: 'govuk-tag--red', 'due-soon': 'govuk-tag--yellow', 'on-track': 'govuk-tag--green' } as const;

/** A due badge: its words and its colour, or null when nothing is due. */
export const dueTag = (state: DueState): { text: string; tagClass: string } | null =>
  state ? { text: DUE_TEXT[state], tagClass: DUE_TAG[state] } : null;

export interface LogRecord {
  id: string;
  reference: string;
  statutory_route: string | null;
  received_on: string;
  service_area: string;
  stage: number;
  closed_on: string | null;
  complaint_id: string | null;
  next_due_on: string | null;
  due: DueState;
}

/** A row of the log, every word of it ready to write out. */
export interface LogRow {
  href: string;
  reference: string;
  statutory: boolean;
  received: string;
  area: string;
  stage: number;
  closed: boolean;
  withOmbudsman: boolean;
  nextDue: string | null;
  due: { text: string; tagClass: string } | null;
}

export const logRows = (records: readonly LogRecord[]): LogRow[] =>
  records.map((r) => ({
    href: `/portal/local-complaints/${r.id}`,
    reference: r.reference,
    statutory: r.statutory_route !== null,
    received: formatDate(r.received_on),
    area: SERVICE_AREA_NAMES[r.service_area as keyof typeof SERVICE_AREA_NAMES] ?? r.service_area,
    stage: r.stage,
    closed: r.closed_on !== null,
    withOmbudsman: r.complaint_id !== null,
    nextDue: r.next_due_on ? formatDate(r.next_due_on) : null,
    due: r.next_due_on ? dueTag(r.due) : null,
  }));

const STATE_NAMES = { open: 'Open', 'due-soon': 'Due soon', overdue: 'Overdue', closed: 'Closed' } as const;

/** The filter form's choices, the ones asked for selected. */
export function logFilterItems(filter: LogFilter) {
  return {
    areaItems: [
      { value: '', text: 'Any' },
      ...SERVICE_AREAS.map((a) => ({ value: a, text: SERVICE_AREA_NAMES[a], selected: filter.serviceArea === a })),
    ],
    stageItems: [
      { value: '', text: 'Any' },
      ...[1, 2, 3].map((s) => ({ value: String(s), text: `Stage ${s}`, selected: filter.stage === s })),
    ],
    stateItems: [
      { value: '', text: 'Any' },
      ...(['open', 'due-soon', 'overdue', 'closed'] as const).map((s) => ({
        value: s,
        text: STATE_NAMES[s],
        selected: filter.state === s,
      })),
    ],
  };
}

/** The address of the log's next page, keeping the filters. */
export function logNextHref(filter: LogFilter, nextCursor: string | null): string | null {
  if (!nextCursor) return null;
  const qs = new URLSearchParams(
    Object.entries(filter).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])),
  ).toString();
  return `/portal/local-complaints?${qs ? `${qs}&` : ''}cursor=${encodeURIComponent(nextCursor)}`;
}
