import { forbidden, notFound } from '../../platform/errors.ts';
import { can, type Actor, type Permission } from '../accounts/domain.ts';
import type { TimelineEvent } from '../complaints/complaints.service.ts';
import type { CorrespondenceContext } from './context.ts';
import type { DeliveryRow, DeliveryWithOutbox } from './correspondence.repository.ts';
import {
  DELIVERY_STATUS_NAMES,
  KINDS_ON_THEIR_OWN_TIMELINE,
  SENDER_ROLE_NAMES,
  addresseesPhrase,
  deliveryStatus,
  deliverySummary,
  isAuthoritySender,
  kindName,
  type Addressee,
  type Audience,
  type DeliveryStatus,
  type ItemKind,
} from './domain.ts';

// Reading a case's correspondence: the Correspondence tab and the case timeline.

/**
 * The permissions under which staff write on a case (a message, an enquiry, a decision, a remedy's
 * or a report's letters): the timeline names the writer by the role that let them.
 */
const WRITING_PERMISSIONS: readonly Permission[] = [
  'holding-pen:triage',
  'enquiries:send',
  'decisions:write',
  'remedies:review',
  'public-reports:manage',
  'complaints:assess',
];

export interface DeliveryView {
  id: string;
  address: string;
  role: DeliveryRow['recipient_role'];
  status: DeliveryStatus;
  statusName: string;
  smtpResponse: string | null;
  lastError: string | null;
  bounceStatus: string | null;
  bounceDiagnostic: string | null;
  sentAt: Date | null;
  bouncedAt: Date | null;
  openedAt: Date | null;
  fallback: boolean;
}

export interface AttachmentView {
  id: string;
  documentId: string | null;
  filename: string;
  contentType: string;
  size: number;
  rejectedReason: string | null;
}

export interface ItemView {
  id: string;
  direction: 'outbound' | 'inbound';
  audience: Audience;
  kind: ItemKind;
  kindName: string;
  addressees: Addressee[];
  isLetter: boolean;
  subject: string;
  text: string;
  from: string | null;
  /** Who sent an inbound item, as the case knew them when it was filed: "Sam Jones, Link officer"; null if unknown. */
  sender: string | null;
  autoReplyReason: string | null;
  countsAsResponse: boolean;
  createdAt: Date;
  sentAt: Date | null;
  receivedAt: Date | null;
  deliveries: DeliveryView[];
  attachments: AttachmentView[];
}

/** One delivery's status from its outbox message and what came back. */
const statusOf = (d: DeliveryWithOutbox): DeliveryStatus =>
  deliveryStatus({
    outboxStatus: d.outbox_status,
    attempts: d.attempts ?? 0,
    bouncedAt: d.bounced_at,
    deferredAt: d.deferred_at,
    openedAt: d.opened_at,
  });

const deliveryView = (d: DeliveryWithOutbox): DeliveryView => {
  const status = statusOf(d);
  return {
    id: d.id,
    address: d.address,
    role: d.recipient_role,
    status,
    statusName: DELIVERY_STATUS_NAMES[status],
    smtpResponse: d.smtp_response,
    lastError: d.last_error,
    bounceStatus: d.bounce_status,
    bounceDiagnostic: d.bounce_diagnostic,
    sentAt: d.sent_at,
    bouncedAt: d.bounced_at,
    openedAt: d.opened_at,
    fallback: d.fallback_for !== null,
  };
};

/**
 * A case's correspondence, oldest first, with every recipient's status. Staff who read cases see
 * both threads; the authority's own users and tokens see the authority's thread of their own cases.
 */
export async function caseCorrespondence(
  ctx: CorrespondenceContext,
  actor: Actor | null,
  complaintId: string,
): Promise<{
  complaint: { id: string; reference: string; authorityId: string; authorityName: string };
  items: ItemView[];
}> {
  if (!actor) throw forbidden();
  const repo = ctx.repo;
  const complaint = await repo.complaint(complaintId);
  let audience: Audience | null = null;
  if (actor.authorityId !== null) {
    if (
      !complaint ||
      complaint.authority_id !== actor.authorityId ||
      !(await repo.caseTold(complaint.id)) ||
      !can(actor, 'portal:complaints')
    )
      throw notFound('The complaint');
    audience = 'authority';
  } else if (!can(actor, 'complaints:read')) throw forbidden();
  if (!complaint) throw notFound('The complaint');
  const rows = await repo.itemsOfComplaint(complaint.id, audience);
  const ids = rows.map((r) => r.id);
  const [deliveries, attachments, authority] = await Promise.all([
    repo.deliveriesOfItems(ids),
    repo.attachmentsOfItems(ids),
    repo.authorityName(complaint.authority_id),
  ]);
  const items = rows.map((row): ItemView => {
    const own = deliveries.filter((d) => d.item_id === row.id);
    const sentTimes = own.map((d) => d.sent_at?.getTime()).filter((t): t is number => t !== undefined);
    return {
      id: row.id,
      direction: row.direction,
      audience: row.audience,
      kind: row.kind as ItemKind,
      kindName: kindName(row.kind),
      addressees: row.addressees as Addressee[],
      isLetter: row.is_letter,
      subject: row.subject,
      text: row.text_body,
      from: row.from_address,
      sender:
        row.sender_role === null
          ? null
          : [row.sender_name, SENDER_ROLE_NAMES[row.sender_role] ?? row.sender_role].filter((p) => p).join(', '),
      autoReplyReason: row.auto_reply_reason,
      countsAsResponse: row.counts_as_response,
      createdAt: row.created_at,
      sentAt: row.direction === 'outbound' && sentTimes.length > 0 ? new Date(Math.min(...sentTimes)) : null,
      receivedAt: row.direction === 'inbound' ? row.created_at : null,
      deliveries: own.map(deliveryView),
      attachments: attachments
        .filter((a) => a.item_id === row.id)
        .map((a) => ({
          id: a.id,
          documentId: a.document_id,
          filename: a.filename,
          contentType: a.content_type,
          size: a.size,
          rejectedReason: a.rejected_reason,
        })),
    };
  });
  return {
    complaint: {
      id: complaint.id,
      reference: complaint.reference,
      authorityId: complaint.authority_id,
      authorityName: authority?.name ?? '',
    },
    items,
  };
}

/**
 * The case timeline's correspondence: every message sent (to whom, by role, and how its delivery
 * went) and every reply filed (from whom, by the role they held then). Each links to the message in
 * the case's Correspondence tab; the authority sees its own thread's only.
 */
export async function timelineEvents(ctx: CorrespondenceContext, complaintId: string): Promise<TimelineEvent[]> {
  const repo = ctx.repo;
  const complaint = await repo.complaint(complaintId);
  if (!complaint) return [];
  const [items, authority] = await Promise.all([
    repo.itemsOfComplaint(complaintId, null),
    repo.authorityName(complaint.authority_id),
  ]);
  const rows = items.filter(
    (r) => r.direction !== 'outbound' || !KINDS_ON_THEIR_OWN_TIMELINE.includes(r.kind as ItemKind),
  );
  const authorityName = authority?.name ?? 'the authority';
  const deliveries = await repo.deliveriesOfItems(rows.filter((r) => r.direction === 'outbound').map((r) => r.id));
  const href = (itemId: string) => `/staff/complaints/${complaintId}/correspondence#item-${itemId}`;
  const portalHref = (itemId: string, audience: Audience) =>
    audience === 'authority' ? `/portal/complaints/${complaintId}/correspondence#item-${itemId}` : null;
  return rows.map((row): TimelineEvent => {
    const authorityVisible = row.audience === 'authority';
    if (row.direction === 'outbound') {
      const statuses = deliveries.filter((d) => d.item_id === row.id).map(statusOf);
      return {
        at: row.created_at,
        kind: 'correspondence',
        label: `${kindName(row.kind)} sent to ${addresseesPhrase(row.addressees, authorityName)}: ${row.subject}`,
        text: deliverySummary(statuses),
        actorRole: 'Ombudsman',
        by: row.created_by === null ? 'System' : null,
        actor: row.created_by === null ? null : { userId: row.created_by, acting: WRITING_PERMISSIONS },
        href: href(row.id),
        portalHref: portalHref(row.id, row.audience),
        authorityVisible,
      };
    }
    const role = row.sender_role;
    const roleName = role === null ? 'Unknown sender' : (SENDER_ROLE_NAMES[role] ?? role);
    return {
      at: row.created_at,
      kind: 'correspondence',
      label: `${row.auto_reply_reason ? 'Automatic reply received' : 'Reply received'}: ${row.subject}`,
      text: row.auto_reply_reason ? `Not counted as a response (${row.auto_reply_reason})` : null,
      actorRole: isAuthoritySender(role) ? `${roleName}, ${authorityName}` : roleName,
      // Staff see the person's name, or the address of a sender the case did not know.
      by: role === null ? row.from_address : isAuthoritySender(role) ? row.sender_name : null,
      href: href(row.id),
      portalHref: portalHref(row.id, row.audience),
      authorityVisible,
    };
  });
}
