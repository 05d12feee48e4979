/**
 * The role a person acted in, for the audit log: of their roles, the one whose permission allowed
 * the action. Pure: no I/O.
 */
import type { Permission } from '../accounts/domain.ts';
import { actingRole } from '../complaints/domain.ts';

/** The upload permissions, in the order a role is chosen: the authority's, then staff's. */
const UPLOAD: readonly Permission[] = [
  'enquiries:portal',
  'remedies:portal',
  'public-reports:portal',
  'portal:complaints',
  'complaints:investigate',
  'complaints:assess',
  'complaints:read',
];

/** Writing on a case: a message from the correspondence tab, or the letters of a step of the case. */
const WRITING: readonly Permission[] = [
  'holding-pen:triage',
  'enquiries:send',
  'decisions:write',
  'remedies:review',
  'public-reports:manage',
  'complaints:assess',
];

/**
 * The permissions each audited action needs, by its action or the start of it (the longest that
 * matches wins). Staff and authority permissions may both be listed: no one holds roles of both.
 * An action not listed (a person's own sign-in, password or two-factor) is recorded with the
 * person's first role, as it needs no permission.
 */
export const ACTION_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  'api-token.': ['tokens:manage'],
  'outbox.resent': ['outbox:resend'],
  'user.invited': ['users:manage'],
  'user.invitation-resent': ['users:manage'],
  'user.roles-changed': ['users:manage'],
  'user.deactivated': ['users:manage'],
  'user.reactivated': ['users:manage'],
  'user.two-factor-reset': ['users:manage'],
  'user.created': ['users:manage'],
  'user.erased': ['link-officers:manage', 'users:manage'],
  'authority.': ['authorities:manage', 'authorities:contacts'],
  'senior-officer.': ['authorities:manage', 'authorities:contacts'],
  'authority-import.': ['authorities:import'],
  'link-officer.': ['link-officers:manage'],
  'link-officer.cover-': ['link-officers:delegate', 'link-officers:manage'],
  'link-officer-change.': ['link-officers:manage'],
  'delegate.': ['link-officers:delegate'],
  'complaint.received': ['complaints:intake'],
  'complaint.opened-linked': ['complaints:intake', 'complaints:assess'],
  'complaint.moved.intake': ['complaints:intake', 'complaints:assess'],
  'complaint.moved.assessment': ['complaints:intake', 'complaints:assess'],
  'complaint.moved.investigation': ['complaints:assess'],
  'complaint.moved.decision': ['decisions:write', 'complaints:investigate'],
  'complaint.moved.remedy': ['decisions:write', 'decisions:review'],
  'complaint.closed.': ['complaints:assess', 'decisions:write', 'decisions:review', 'remedies:review'],
  'complaint.closed.premature': ['complaints:intake', 'complaints:assess'],
  'complaint.allocated': ['complaints:assess'],
  'complaint.reallocated': ['complaints:assess'],
  'complaint.documents-requested': ['complaints:assess'],
  'document.stored': UPLOAD,
  'document.marked-do-not-disclose': ['complaints:investigate', 'complaints:assess', 'complaints:read'],
  'document.cleared-do-not-disclose': ['complaints:investigate', 'complaints:assess', 'complaints:read'],
  'enquiry.': ['enquiries:send'],
  'enquiry.answered': ['enquiries:portal'],
  'enquiry.responded': ['enquiries:portal'],
  'enquiry.document-added': ['enquiries:portal', 'enquiries:send'],
  'enquiry.extension-requested': ['enquiries:portal'],
  'enquiry.delegated': ['enquiries:delegate'],
  'enquiry-settings.': ['link-officers:delegate', 'link-officers:manage'],
  'decision.': ['decisions:write'],
  'decision.review-': ['decisions:review'],
  'decision.review-requested': ['decisions:portal', 'decisions:write'],
  'decision.criticised-shown-draft': ['decisions:portal', 'decisions:write'],
  'remedy.': ['decisions:write', 'decisions:review'],
  'remedy.evidence-submitted': ['remedies:portal'],
  'remedy.evidence-accepted': ['remedies:review'],
  'remedy.evidence-returned': ['remedies:review'],
  'remedy.withdrawn': ['remedies:review'],
  'remedy.action-': ['remedies:escalate', 'remedies:review'],
  'public-report.': ['public-reports:manage', 'public-reports:portal'],
  'correspondence.written': WRITING,
  'correspondence.filed': ['holding-pen:triage'],
  'correspondence.auto-reply-filed': ['holding-pen:triage'],
  'correspondence.opened': ['portal:complaints'],
  'inbound-mail.discarded': ['holding-pen:triage'],
  'training-course.': ['training:manage'],
  'training-session.': ['training:manage'],
  'training-booking.': ['training:book', 'training:manage'],
  'training-attendance.': ['training:manage', 'training:read'],
  'publication.': ['publications:edit'],
  'site-page.': ['publications:edit'],
  'newsletter-': ['newsletter:manage'],
  'person.': ['people:link'],
  'conduct.': ['conduct:manage'],
  // Any member of staff who reads cases may log a call with a person.
  'call.logged': ['complaints:read'],
  'local-complaint': ['local-complaints:manage'],
  'statistics.': ['statistics:manage'],
  'annual-review.': ['statistics:manage'],
};

const PREFIXES = Object.keys(ACTION_PERMISSIONS).sort((a, b) => b.length - a.length);

/** The permissions an action needed (see `ACTION_PERMISSIONS`); none for an action not listed. */
export function actionPermissions(action: string): readonly Permission[] {
  const key = PREFIXES.find((p) => (p.endsWith('.') || p.endsWith('-') ? action.startsWith(p) : action === p));
  return key ? (ACTION_PERMISSIONS[key] ?? []) : [];
}

/**
 * The role to record for an action by a person holding `roles`: the one that holds the action's
 * permission (a casework manager who is also an investigator accepts a case as casework manager),
 * or their first role when the action needs none.
 */
export function auditRole(action: string, roles: readonly string[]): string | null {
  return actingRole(roles, actionPermissions(action)) ?? roles[0] ?? null;
}
