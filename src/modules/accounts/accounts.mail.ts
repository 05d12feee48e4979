import type { OutgoingMail } from '../../platform/mail/outbox.ts';

/** The text of the emails accounts sends. Plain text first; the HTML carries the same words. */

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function message(paragraphs: string[], link: string): { text: string; html: string } {
  const text = paragraphs.map((p) => (p === '{link}' ? link : p)).join('\n\n');
  const html = paragraphs
    .map((p) =>
      p === '{link}' ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : `<p>${escapeHtml(p)}</p>`,
    )
    .join('\n');
  return { text, html };
}

export function invitationMail(input: {
  to: string;
  displayName: string;
  link: string;
  ttlHours: number;
  tokenId: string;
}): OutgoingMail {
  const body = message(
    [
      `Dear ${input.displayName},`,
      'You have been invited to use Liaison. Use this link to create your password and start using your account:',
      '{link}',
      `The link works once and expires in ${input.ttlHours} hours. If it has expired, ask your Liaison administrator to invite you again.`,
      'If you were not expecting this email, you can ignore it.',
    ],
    input.link,
  );
  return {
    kind: 'invitation',
    to: input.to,
    subject: 'You have been invited to Liaison',
    automatic: true,
    idempotencyKey: `invitation:${input.tokenId}`,
    ...body,
  };
}

export function passwordResetMail(input: {
  to: string;
  displayName: string;
  link: string;
  ttlMinutes: number;
  tokenId: string;
}): OutgoingMail {
  const body = message(
    [
      `Dear ${input.displayName},`,
      'Someone asked to reset the password for your Liaison account. Use this link to choose a new password:',
      '{link}',
      `The link works once and expires in ${input.ttlMinutes} minutes.`,
      'If you did not ask for this, you can ignore this email: your password has not changed.',
    ],
    input.link,
  );
  return {
    kind: 'password-reset',
    to: input.to,
    subject: 'Reset your Liaison password',
    automatic: true,
    idempotencyKey: `password-reset:${input.tokenId}`,
    ...body,
  };
}
