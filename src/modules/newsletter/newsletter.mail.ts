import { renderMarkdown } from '../../platform/markdown/markdown.ts';
import type { OutgoingMail } from '../../platform/mail/outbox.ts';
import { UNSUBSCRIBE_LOCAL } from './domain.ts';

/** The newsletter's messages: the confirmation link, and an issue as each recipient receives it. */

export interface MailSettings {
  baseUrl: string;
  /** Our mail domain: the `mailto:` unsubscribe address lives there. */
  domain: string;
  /** Signs personal unsubscribe tokens. */
  secret: string;
}

export const NEWSLETTER_NAME = 'Ombudsman Link';

export function confirmMail(to: string, link: string, idempotencyKey: string): OutgoingMail {
  return {
    kind: 'newsletter-confirm',
    to,
    subject: `Confirm your subscription to ${NEWSLETTER_NAME}`,
    text: [
      `Someone, probably you, asked to receive ${NEWSLETTER_NAME}, the ombudsman’s newsletter for authorities and the people who work with them.`,
      '',
      'You are not subscribed until you confirm. Open this link within 7 days to confirm:',
      '',
      link,
      '',
      'If you did not ask for this, ignore this email: the request is deleted after 7 days.',
    ].join('\n'),
    idempotencyKey,
    automatic: true,
  };
}

export function alreadySubscribedMail(to: string, link: string, idempotencyKey: string): OutgoingMail {
  return {
    kind: 'newsletter-confirm',
    to,
    subject: `You already receive ${NEWSLETTER_NAME}`,
    text: [
      `Someone, probably you, asked to receive ${NEWSLETTER_NAME} at this address. You already receive it, so nothing has changed.`,
      '',
      'To choose topics or stop receiving it, open this link:',
      '',
      link,
    ].join('\n'),
    idempotencyKey,
    automatic: true,
  };
}

export interface IssueContent {
  id: string;
  slug: string;
  subject: string;
  preheader: string;
  body: string;
}

/**
 * The address a mail client posts `List-Unsubscribe=One-Click` to (RFC 8058): an endpoint of the API,
 * which takes the token alone (no session, no form token), so the one click is the whole of it.
 */
export const oneClickUrl = (settings: MailSettings, token: string) =>
  `${settings.baseUrl}/api/v1/newsletter/unsubscribe/${token}`;

/** The token's place in a rendered issue: replaced by each recipient's own. */
const TOKEN = '{{token}}';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * An issue's HTML part: semantic, readable without images or styles, no fixed background colour so
 * the reader's dark mode keeps its contrast, and no tracking of any kind. With `personal` false it is
 * the web version, which carries no recipient's token.
 */
export function issueHtml(issue: IssueContent, settings: MailSettings, personal: boolean): string {
  const web = `${settings.baseUrl}/newsletter/${issue.slug}`;
  const footer = personal
    ? `<p><a href="${web}">Read this issue on our website</a>.</p>
<p>You receive ${NEWSLETTER_NAME} as a link officer or because you subscribed.
<a href="${settings.baseUrl}/newsletter/preferences/${TOKEN}">Choose topics</a> or
<a href="${settings.baseUrl}/newsletter/unsubscribe/${TOKEN}">unsubscribe</a>.</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(issue.subject)}</title>
</head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:19px;line-height:1.4">
<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(issue.preheader)}</div>
<main style="max-width:640px;margin:0 auto">
<p><strong>${NEWSLETTER_NAME}</strong></p>
<h1 style="font-size:32px;line-height:1.2">${escapeHtml(issue.subject)}</h1>
${renderMarkdown(issue.body).html}
<hr>
${footer}
</main>
</body>
</html>`;
}

/** The plain-text part: the Markdown itself reads as text. */
export function issueText(issue: IssueContent, settings: MailSettings): string {
  const web = `${settings.baseUrl}/newsletter/${issue.slug}`;
  return [
    NEWSLETTER_NAME,
    '',
    issue.subject,
    '='.repeat(Math.min(issue.subject.length, 72)),
    '',
    ...(issue.preheader ? [issue.preheader, ''] : []),
    issue.body.trim(),
    '',
    '---',
    `Read this issue on our website: ${web}`,
    `Choose topics: ${settings.baseUrl}/newsletter/preferences/${TOKEN}`,
    `Unsubscribe: ${settings.baseUrl}/newsletter/unsubscribe/${TOKEN}`,
  ].join('\n');
}

/** An issue rendered once, then made into each recipient's message with their own token. */
export function issueMailer(issue: IssueContent, settings: MailSettings) {
  const html = issueHtml(issue, settings, true);
  const text = issueText(issue, settings);
  return (
    to: string,
    token: string,
    idempotencyKey: string,
    kind = 'newsletter',
  ): Omit<OutgoingMail, 'attachments'> => ({
    kind,
    to,
    subject: issue.subject,
    text: text.replaceAll(TOKEN, token),
    html: html.replaceAll(TOKEN, token),
    headers: {
      'List-Unsubscribe': `<${oneClickUrl(settings, token)}>, <mailto:${UNSUBSCRIBE_LOCAL}${token}@${settings.domain}?subject=unsubscribe>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': `${NEWSLETTER_NAME} <ombudsman-link.${settings.domain}>`,
      Precedence: 'bulk',
    },
    idempotencyKey,
    automatic: true,
  });
}
