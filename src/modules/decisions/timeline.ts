import { TIMELINE_KINDS, type TimelineEvent, type TimelineKind } from '../complaints/complaints.service.ts';

/** What each kind of timeline entry is called in the timeline's filter. */
export const TIMELINE_KIND_NAMES: Record<TimelineKind, string> = {
  'authority-handling': 'The authority’s own handling',
  complaint: 'Complaint received',
  assessment: 'Intake and assessment',
  document: 'Documents',
  enquiry: 'Enquiries and responses',
  correspondence: 'Correspondence',
  draft: 'Drafts',
  comment: 'Comments on drafts',
  decision: 'Final decision',
  review: 'Review',
  remedy: 'Remedies',
  evidence: 'Evidence of compliance',
  'public-report': 'Public report',
  closure: 'Closure',
};

/**
 * A timeline narrowed to the kinds chosen in the query (`?kind=draft&kind=comment`), with the
 * checkboxes of the filter form. Unknown kinds are ignored; none chosen shows everything.
 */
export function timelineFilter(events: TimelineEvent[], query: unknown) {
  const raw = (query as Record<string, unknown> | null)?.kind;
  const asked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (k): k is TimelineKind => typeof k === 'string' && (TIMELINE_KINDS as readonly string[]).includes(k),
  );
  const chosen = new Set(asked);
  const present = new Set(events.map((e) => e.kind));
  return {
    events: chosen.size === 0 ? events : events.filter((e) => chosen.has(e.kind)),
    kindItems: TIMELINE_KINDS.filter((k) => present.has(k) || chosen.has(k)).map((k) => ({
      value: k,
      text: TIMELINE_KIND_NAMES[k],
      checked: chosen.has(k),
    })),
    filtered: chosen.size > 0,
    /** The names of the kinds chosen, in the filter's order, to say what is shown. */
    chosenNames: TIMELINE_KINDS.filter((k) => chosen.has(k)).map((k) => TIMELINE_KIND_NAMES[k]),
  };
}
