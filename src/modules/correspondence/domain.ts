/**
 * Correspondence: every message on a case, in or out, addressed to roles and tracked per recipient.
 * Pure rules only: no I/O.
 */

import type { Actor } from '../accounts/domain.ts';

/** Who an outgoing item is for. Resolved to addresses when it is sent, never when it is written. */
export const ADDRESSEES = [
  'link-officers',
  'chief-executive',
  'monitoring-officer',
  // The head of service for the complaint's service area (the chief executive when none is recorded).
  'head-of-service',
  'complainant',
] as const;
export type Addressee = (typeof ADDRESSEES)[number];

export const ITEM_KINDS = [
  'enquiry',
  'reminder',
  'draft-decision',
  'final-decision',
  'public-report-alert',
  'portal-notification',
  'message',
  'reply',
  'acknowledgement',
] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/**
 * An outgoing item as another module writes it (`CorrespondenceService#write`, in the caller's
 * transaction).
 */
export interface NewItem {
  complaintId: string;
  kind: ItemKind;
  addressees: readonly Addressee[];
  subject: string;
  /** Plain text; the HTML version (and the PDF for a letter) is made from it. */
  text: string;
  /** Who wrote it; null for the system (jobs). */
  actor: Actor | null;
  /** The inbound item this answers, so the reply threads under it in the recipient's mail program. */
  inReplyToItemId?: string | null;
  /**
   * A letter addressed to the chief executive but delivered to the addressees (the link officers, as
   * enquiries are): it goes as a PDF as well as in the body. Anything addressed to the chief executive
   * is a letter anyway.
   */
  letter?: boolean;
}

export const KIND_NAMES: Record<ItemKind, string> = {
  enquiry: 'Enquiry',
  reminder: 'Reminder',
  'draft-decision': 'Draft decision',
  'final-decision': 'Final decision',
  'public-report-alert': 'Public report alert',
  'portal-notification': 'Portal notification',
  message: 'Message',
  reply: 'Reply',
  acknowledgement: 'Acknowledgement',
};

/** An item kind's name as people read it; a kind without one is shown as stored. */
export const kindName = (kind: string): string => KIND_NAMES[kind as ItemKind] ?? kind;

/**
 * Letters whose sending the owning module already puts on the timeline (the enquiry sent, the draft
 * issued, the final decision): the correspondence source leaves them out so a case's timeline does
 * not say the same thing twice. Their delivery is on the Correspondence tab.
 */
export const KINDS_ON_THEIR_OWN_TIMELINE: readonly ItemKind[] = ['enquiry', 'draft-decision', 'final-decision'];

/** Who a delivery went to, as staff read it. */
export const RECIPIENT_ROLE_NAMES: Record<string, string> = {
  'link-officer': 'Link officer',
  cover: 'Covering for a link officer',
  'generic-inbox': 'Authority inbox',
  'chief-executive': 'Chief executive',
  'monitoring-officer': 'Monitoring officer',
  'head-of-service': 'Head of service',
  complainant: 'Complainant',
  representative: 'Representative',
};

/** The two sides of a case the ombudsman writes to; each has its own thread and reply address. */
export type Audience = 'authority' | 'complainant';

export const audienceOf = (addressees: readonly Addressee[]): Audience =>
  addressees.includes('complainant') ? 'complainant' : 'authority';

/** A letter (sent as a PDF as well as in the body) is anything addressed to the chief executive. */
export const isLetter = (addressees: readonly Addressee[]): boolean => addressees.includes('chief-executive');

/** Messages a machine sends on its own carry `Auto-Submitted: auto-generated` (RFC 3834). */
export const isAutomatic = (kind: ItemKind): boolean =>
  kind === 'reminder' || kind === 'portal-notification' || kind === 'acknowledgement';

/** What a recipient's delivery says, in the order shown to staff. */
export type DeliveryStatus =
  'queued' | 'sending' | 'sent' | 'deferred' | 'bounced' | 'held' | 'failed' | 'unknown' | 'opened';

export const DELIVERY_STATUS_NAMES: Record<DeliveryStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  deferred: 'Deferred, retrying',
  bounced: 'Bounced',
  held: 'Held in the outbox',
  failed: 'Failed',
  unknown: 'Not known: check with the recipient',
  opened: 'Opened in the portal',
};

/**
 * One recipient's status from its outbox message and what came back: a bounce outranks everything;
 * opening in the portal outranks the mail status (the recipient has it); otherwise the outbox says.
 */
export function deliveryStatus(input: {
  outboxStatus: 'queued' | 'sending' | 'sent' | 'held' | 'failed' | 'unknown' | null;
  attempts: number;
  bouncedAt: Date | null;
  deferredAt?: Date | null;
  openedAt: Date | null;
}): DeliveryStatus {
  if (input.bouncedAt) return 'bounced';
  if (input.openedAt) return 'opened';
  switch (input.outboxStatus) {
    case null:
      return 'queued';
    case 'queued':
      return input.attempts > 0 || input.deferredAt ? 'deferred' : 'queued';
    case 'sent':
      return input.deferredAt ? 'deferred' : 'sent';
    case 'sending':
    case 'held':
    case 'failed':
    case 'unknown':
      return input.outboxStatus;
  }
}

/** A case reference in a subject line (`26 001 234`, also typed without spaces or with dashes), normalised. */
export function caseReferenceInSubject(subject: string | null): string | null {
  if (!subject) return null;
  const m = /(?<!\d)(\d{2})[ -]?(\d{3})[ -]?(\d{3})(?!\d)/.exec(subject);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : null;
}

/** The bare address in `Name <a@b>` or `a@b`, lower-cased; null if there is none. */
export function bareAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  const angle = /<([^<>@\s]+@[^<>\s]+)>/.exec(value);
  const plain = angle?.[1] ?? /[^\s<>,;"]+@[^\s<>,;"]+/.exec(value)?.[0];
  return plain ? plain.toLowerCase() : null;
}

/**
 * Why inbound mail is waiting for a person in the holding pen. `unreadable`: received whole but its
 * MIME could not be parsed (held by the gateway itself; it can be discarded or its source read, never
 * filed on a case).
 */
export type HoldReason = 'no-match' | 'unknown-sender' | 'unknown-bounce' | 'unreadable';

export const HOLD_REASON_NAMES: Record<HoldReason, string> = {
  'no-match': 'Matches no case',
  'unknown-sender': 'From someone the case has not written to',
  'unknown-bounce': 'A delivery report about a message we cannot find',
  unreadable: 'Could not be read',
};

/** How the holding pen says why a message is there: an unreadable one says why it could not be read. */
export function holdReasonText(reason: string | null, unreadableReason: string | null): string {
  if (reason === 'unreadable') return `Could not be read: ${unreadableReason ?? 'no reason was recorded'}`;
  return HOLD_REASON_NAMES[(reason ?? 'no-match') as HoldReason] ?? reason ?? '';
}

/** Plain text to accessible HTML: paragraphs at blank lines, line breaks kept, everything escaped. */
export function textToHtml(text: string, options: { title: string }): string {
  const escape = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const paragraphs = text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p style="margin:0 0 16px 0">${escape(p).replace(/\n/g, '<br>')}</p>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(options.title)}</title></head>`,
    '<body style="font-family:Arial,sans-serif;font-size:19px;line-height:1.4;color:#0b0c0c;max-width:640px;margin:0 auto;padding:16px">',
    `<h1 style="font-size:24px;margin:0 0 16px 0">${escape(options.title)}</h1>`,
    ...paragraphs,
    '</body>',
    '</html>',
  ].join('\n');
}

/** Who an inbound message was from, by the role the case knew them in when it was filed. */
export const SENDER_ROLE_NAMES: Record<string, string> = {
  ...RECIPIENT_ROLE_NAMES,
  delegate: 'Delegate',
  'senior-officer': 'Senior officer',
  'authority-user': 'Portal user',
};

/** Whether a sender's role is one of the authority's people (named with their authority on the timeline). */
export const isAuthoritySender = (role: string | null): boolean =>
  role !== null && role !== 'complainant' && role !== 'representative';

/** Whom an outgoing item was for, by role: "the link officers of Anytown Council", "the complainant". */
export function addresseesPhrase(addressees: readonly string[], authorityName: string): string {
  const phrases: Record<string, string> = {
    'link-officers': `the link officers of ${authorityName}`,
    'chief-executive': `the chief executive of ${authorityName}`,
    'monitoring-officer': `the monitoring officer of ${authorityName}`,
    'head-of-service': `the head of service at ${authorityName}`,
    complainant: 'the complainant',
  };
  const parts = addressees.map((a) => phrases[a] ?? a);
  if (parts.length <= 1) return parts[0] ?? 'nobody yet';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * An outgoing item's deliveries in a line: "Not sent yet", or each status with how many
 * recipients it holds, in the order of `DELIVERY_STATUS_NAMES` ("2 sent, 1 bounced").
 */
export function deliverySummary(statuses: readonly DeliveryStatus[]): string {
  if (statuses.length === 0) return 'Not sent yet: recipients are found when it goes out';
  const order = Object.keys(DELIVERY_STATUS_NAMES) as DeliveryStatus[];
  const counts = order
    .map((s) => [s, statuses.filter((x) => x === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${DELIVERY_STATUS_NAMES[s].toLowerCase()}`);
  return `Delivery: ${counts.join(', ')}`;
}
