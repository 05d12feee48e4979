import { dayOfWeek, type IsoDate } from '../../platform/calendar/calendar.ts';
import { writeAudit, SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import { forbidden } from '../../platform/errors.ts';
import { auditActor, type Actor } from '../accounts/domain.ts';
import { hashSecret, newSecret } from '../accounts/passwords.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { HomeContext } from './context.ts';
import { mondayOf } from './dates.ts';
import { weeklyDigestMail, type DigestSection } from './home.mail.ts';

// The weekly email to link officers of what falls due at their authority, and its stop link.

/** The weekly email: what falls due within this many working days. */
export const DIGEST_WORKING_DAYS = 10;
/** The weekly email: at most this many lines a section. */
const DIGEST_ITEMS = 20;
/** The weekly email goes from this hour on Monday, London time. */
const DIGEST_HOUR = 7;

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  hourCycle: 'h23',
});

/** The person signed in at an authority: only they have a weekly email. */
function authorityUser(actor: Actor): { id: string; authorityId: string } {
  if (actor.type !== 'user' || actor.authorityId === null) throw forbidden();
  return { id: actor.id, authorityId: actor.authorityId };
}

/** Whether the person gets the weekly email. */
export async function digestOn(ctx: HomeContext, actor: Actor): Promise<boolean> {
  return ctx.repo.digestOn(authorityUser(actor).id);
}

/** Turns the weekly email on or off for the person signed in ("Your account"). */
export async function setDigest(ctx: HomeContext, actor: Actor, on: boolean): Promise<void> {
  const { authorityId } = authorityUser(actor);
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.with(trx).setDigest(actor.id, on, ctx.clock.now());
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: on ? 'weekly-email.turned-on' : 'weekly-email.turned-off',
      recordType: 'user',
      recordId: actor.id,
      authorityId,
      requestId: actor.requestId ?? null,
    });
  });
}

/** The weekly email a stop link was sent in; null for a link not known. */
async function digestOfStopLink(ctx: HomeContext, token: string) {
  if (token.length < 20 || token.length > 100) return null;
  return (await ctx.repo.digestByStopHash(hashSecret(token))) ?? null;
}

/** Where the stop link of a weekly email stands: `on` (not stopped yet), `stopped`, or null for a link not known. */
export async function digestStopLink(ctx: HomeContext, token: string): Promise<'on' | 'stopped' | null> {
  const sent = await digestOfStopLink(ctx, token);
  if (!sent) return null;
  return (await ctx.repo.digestOn(sent.user_id)) ? 'on' : 'stopped';
}

/**
 * The stop link in a weekly email, confirmed on its page or posted by a mail client's one-click
 * unsubscribe: stops it for the person it was sent to. False for a link not known.
 */
export async function stopDigest(ctx: HomeContext, token: string): Promise<boolean> {
  const sent = await digestOfStopLink(ctx, token);
  if (!sent) return false;
  // Stopping it again changes nothing more.
  if (!(await ctx.repo.digestOn(sent.user_id))) return true;
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.with(trx).setDigest(sent.user_id, false, ctx.clock.now());
    // Nobody is signed in: the link itself, sent to this person, is the authority for the change.
    await writeAudit(trx, {
      actor: SYSTEM_ACTOR,
      action: 'weekly-email.stopped-from-link',
      recordType: 'user',
      recordId: sent.user_id,
      authorityId: sent.authority_id,
    });
  });
  return true;
}

/** What falls due at an authority by `dueBy` (and anything late), as the weekly email's sections. */
async function digestSections(ctx: HomeContext, authorityId: string, dueBy: IsoDate): Promise<DigestSection[]> {
  const { enquiries, decisions, remedies, publicReports } = ctx.deps;
  const scope = { authorityId };
  const o = { dueBy, limit: DIGEST_ITEMS };
  const base = ctx.settings.baseUrl;
  const [open, tasks, drafts, due, steps] = await Promise.all([
    enquiries.homePanel(null, scope, o),
    enquiries.delegatedTasks(null, authorityId, o),
    decisions.awaitingComment(null, scope, o),
    remedies.homePanel(null, scope, o),
    publicReports.stepsDue(null, authorityId, o),
  ]);
  const today = londonToday(ctx);
  return [
    section('Enquiry responses', open, (e) => ({
      text: `${e.kindName} ${e.number} on complaint ${e.reference}`,
      dueDate: e.dueDate,
      late: e.dueDate < today,
      href: `${base}/portal/enquiries/${e.id}`,
    })),
    section('Tasks delegated to colleagues', tasks, (t) => ({
      text: `${t.delegateName}: enquiry ${t.number} on complaint ${t.reference}${t.question === null ? '' : `, question ${t.question}`}`,
      dueDate: t.dueDate,
      late: t.late,
      href: `${base}/portal/enquiries/${t.enquiryId}`,
    })),
    section('Comments on drafts', drafts, (d) => ({
      text: `${d.formName} on complaint ${d.reference}`,
      dueDate: d.dueDate,
      late: d.late,
      href: `${base}/portal/complaints/${d.complaintId}/decision`,
    })),
    section('Remedies', due, (r) => ({
      text: `${r.typeName} on complaint ${r.reference}`,
      dueDate: r.dueDate,
      late: r.late,
      href: `${base}/portal/remedies/${r.id}`,
    })),
    section('Public report steps', steps, (st) => ({
      text: `${st.stepName} for complaint ${st.reference}`,
      dueDate: st.dueDate,
      late: st.late,
      href: `${base}/portal/public-reports/${st.reportId}`,
    })),
  ];
}

/** A section of the email: its heading, how many there are in all, and a line for each of the first. */
function section<T>(
  heading: string,
  panel: { total: number; items: readonly T[] },
  line: (item: T) => DigestSection['lines'][number],
): DigestSection {
  return { heading, total: panel.total, lines: panel.items.map(line) };
}

/**
 * Sends this week's email to every link officer owed it: what falls due at their authority within
 * the next ten working days, and anything already late. A link officer with nothing due gets no
 * email (the week is still recorded for them). Each person gets at most one a week, whoever runs it
 * and however often: the (person, week) row is written in the transaction that queues the message.
 */
export async function sendWeeklyDigests(ctx: HomeContext): Promise<{ sent: number; nothingDue: number }> {
  const today = londonToday(ctx);
  const weekOf = mondayOf(today);
  const dueBy = ctx.calendar.addWorkingDays(today, DIGEST_WORKING_DAYS).date;
  const sectionsByAuthority = new Map<string, DigestSection[]>();
  let sent = 0;
  let nothingDue = 0;
  for (;;) {
    const batch = await ctx.repo.recipients(weekOf, 200);
    if (batch.length === 0) break;
    for (const person of batch) {
      let sections = sectionsByAuthority.get(person.authority_id);
      if (!sections) {
        sections = await digestSections(ctx, person.authority_id, dueBy);
        // Authorities come in order: only the current one's figures are kept.
        sectionsByAuthority.clear();
        sectionsByAuthority.set(person.authority_id, sections);
      }
      const items = sections.reduce((n, s) => n + s.total, 0);
      const token = newSecret();
      const written = await ctx.db.transaction().execute(async (trx) => {
        const recorded = await ctx.repo.with(trx).recordDigest({
          userId: person.id,
          authorityId: person.authority_id,
          weekOf,
          items,
          stopTokenHash: hashSecret(token),
          sentAt: ctx.clock.now(),
        });
        if (!recorded || items === 0) return false;
        await ctx.deps.mail.enqueue(
          trx,
          weeklyDigestMail({
            to: person.email,
            name: person.display_name,
            authorityName: person.authority_name,
            weekOf,
            dueBy,
            sections: sections ?? [],
            homeUrl: `${ctx.settings.baseUrl}/portal`,
            stopUrl: `${ctx.settings.baseUrl}/weekly-email/stop/${token}`,
            oneClickUrl: `${ctx.settings.baseUrl}/api/v1/weekly-email/stop/${token}`,
            userId: person.id,
          }),
        );
        return true;
      });
      if (written) sent++;
      else if (items === 0) nothingDue++;
    }
  }
  return { sent, nothingDue };
}

/** The schedule: on Mondays from 07:00 London time, this week's emails (each person's once). */
export async function sendWeeklyDigestsWhenDue(ctx: HomeContext): Promise<{ sent: number; nothingDue: number } | null> {
  const now = ctx.clock.now();
  const today = ctx.calendar.londonDate(now);
  if (dayOfWeek(today) !== 1) return null;
  if (Number(londonClock.format(now)) < DIGEST_HOUR) return null;
  return sendWeeklyDigests(ctx);
}
