import type { OutgoingMail } from '../../platform/mail/outbox.ts';
import { formatDate } from '../../platform/dates.ts';

/** One line of the weekly email: what is due, when, and where to act on it. */
export interface DigestLine {
  text: string;
  dueDate: string;
  late: boolean;
  href: string;
}

export interface DigestSection {
  heading: string;
  total: number;
  lines: DigestLine[];
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The weekly email to a link officer: what falls due at their authority by `dueBy` (and what is
 * already late), section by section, each line with its link, and the one-click link to stop it.
 */
export function weeklyDigestMail(input: {
  to: string;
  name: string;
  authorityName: string;
  weekOf: string;
  dueBy: string;
  sections: DigestSection[];
  homeUrl: string;
  stopUrl: string;
  /** Where a mail client posts its one-click unsubscribe (RFC 8058). */
  oneClickUrl: string;
  userId: string;
}): OutgoingMail {
  const intro = `Here is what falls due for ${input.authorityName} by ${formatDate(input.dueBy)}, and anything already late.`;
  const text: string[] = [`Dear ${input.name},`, intro];
  const html: string[] = [`<p>Dear ${escapeHtml(input.name)},</p>`, `<p>${escapeHtml(intro)}</p>`];
  for (const section of input.sections) {
    if (section.total === 0) continue;
    const more = section.total > section.lines.length ? ` (${section.lines.length} shown of ${section.total})` : '';
    text.push(
      `${section.heading}: ${section.total}${more}\n` +
        section.lines
          .map(
            (l) =>
              `- ${l.text}, ${l.late ? 'was due' : 'due'} ${formatDate(l.dueDate)}${l.late ? ' (late)' : ''}: ${l.href}`,
          )
          .join('\n'),
    );
    html.push(
      `<h2>${escapeHtml(section.heading)}: ${section.total}${escapeHtml(more)}</h2><ul>` +
        section.lines
          .map(
            (l) =>
              `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>, ${l.late ? 'was due' : 'due'} ${escapeHtml(formatDate(l.dueDate))}${l.late ? ' <strong>(late)</strong>' : ''}</li>`,
          )
          .join('') +
        '</ul>',
    );
  }
  const home = `Everything open for your authority is on your home page: ${input.homeUrl}`;
  const stop = `To stop these weekly emails, open this link and confirm (you do not need to sign in): ${input.stopUrl}`;
  text.push(home, stop);
  html.push(
    `<p>Everything open for your authority is on <a href="${escapeHtml(input.homeUrl)}">your home page</a>.</p>`,
    `<p><a href="${escapeHtml(input.stopUrl)}">Stop these weekly emails</a> (you do not need to sign in).</p>`,
  );
  return {
    kind: 'weekly-digest',
    to: input.to,
    subject: `What falls due for ${input.authorityName} by ${formatDate(input.dueBy)}`,
    text: text.join('\n\n'),
    html: html.join('\n'),
    automatic: true,
    headers: {
      'List-Unsubscribe': `<${input.oneClickUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    idempotencyKey: `weekly-digest:${input.userId}:${input.weekOf}`,
  };
}
