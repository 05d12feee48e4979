import crypto from 'node:crypto';
import type { OutgoingMail } from '../../platform/mail/outbox.ts';

/** The emails this module sends. Plain text first; the HTML carries the same words. */

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function body(paragraphs: string[], link?: string): { text: string; html: string } {
  const text = paragraphs.map((p) => (p === '{link}' ? (link ?? '') : p)).join('\n\n');
  const html = paragraphs
    .map((p) =>
      p === '{link}' && link
        ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`
        : `<p>${escapeHtml(p)}</p>`,
    )
    .join('\n');
  return { text, html };
}

/** To a current link officer (or the chief executive): confirm a change someone outside asked for. */
export function confirmChangeMail(input: {
  to: string;
  authorityName: string;
  requesterName: string;
  change: string;
  newOfficerName: string;
  link: string;
  ttlDays: number;
  requestId: string;
}): OutgoingMail {
  return {
    kind: 'link-officer-change-confirmation',
    to: input.to,
    subject: `Confirm a change of link officer for ${input.authorityName}`,
    // Keyed by a digest of the address, never the address itself: keys are not scrubbed on erasure.
    automatic: true,
    idempotencyKey: `link-officer-change-confirmation:${input.requestId}:${crypto.createHash('sha256').update(input.to.toLowerCase()).digest('hex').slice(0, 24)}`,
    ...body(
      [
        `${input.requesterName} has asked the ombudsman to ${input.change} for ${input.authorityName}: ${input.newOfficerName}.`,
        'Before the ombudsman acts on it, someone at the authority must confirm the request. Use this link to see the details and confirm or decline it:',
        '{link}',
        `The link expires in ${input.ttlDays} days. If you do not recognise this request, decline it or ignore this email.`,
      ],
      input.link,
    ),
  };
}

export function changeDecidedMail(input: {
  to: string;
  authorityName: string;
  approved: boolean;
  reason?: string;
  requestId: string;
}): OutgoingMail {
  const paragraphs = input.approved
    ? [
        `The ombudsman has made the change of link officer you asked for at ${input.authorityName}.`,
        'All correspondence from the ombudsman now goes to the authority’s link officers as they are now recorded.',
      ]
    : [
        `The ombudsman has not made the change of link officer you asked for at ${input.authorityName}.`,
        `The reason given: ${input.reason ?? ''}`,
        'If you think this is wrong, reply to the ombudsman’s relationship team.',
      ];
  return {
    kind: input.approved ? 'link-officer-change-approved' : 'link-officer-change-rejected',
    to: input.to,
    subject: input.approved
      ? `Your change of link officer for ${input.authorityName} has been made`
      : `Your change of link officer for ${input.authorityName} was not made`,
    automatic: true,
    idempotencyKey: `link-officer-change-decided:${input.requestId}`,
    ...body(paragraphs),
  };
}

export function changeDeclinedMail(input: { to: string; authorityName: string; requestId: string }): OutgoingMail {
  return {
    kind: 'link-officer-change-declined',
    to: input.to,
    subject: `Your change of link officer for ${input.authorityName} was not confirmed`,
    automatic: true,
    idempotencyKey: `link-officer-change-declined:${input.requestId}`,
    ...body([
      `Someone at ${input.authorityName} declined to confirm the change of link officer you asked for, so it has not been passed to the ombudsman.`,
      'If you think this is wrong, speak to your authority’s link officer.',
    ]),
  };
}
