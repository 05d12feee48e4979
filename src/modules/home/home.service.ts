import type { Kysely } from 'kysely';
import { addDays, dayOfWeek, type IsoDate, type WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { forbidden } from '../../platform/errors.ts';
import { enqueueMail } from '../../platform/mail/outbox.ts';
import type { Snapshots } from '../../platform/snapshot.ts';
import { writeAudit, SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { hashSecret, newSecret } from '../accounts/passwords.ts';
import type { ComplaintsService } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { DecisionsService } from '../decisions/decisions.service.ts';
import type { EnquiriesService } from '../enquiries/enquiries.service.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import type { PublicReportsService } from '../public-reports/public-reports.service.ts';
import type { RemediesService } from '../remedies/remedies.service.ts';
import { HomeRepository } from './home.repository.ts';
import { weeklyDigestMail, type DigestSection } from './home.mail.ts';

/** A home page panel as its template shows it: a heading with its count, the first items and where to see all. */
export interface Panel {
  id: string;
  heading: string;
  total: number;
  /** The counts in words, beside the heading ("3 overdue"). */
  summary: string | null;
  empty: string;
  viewAll: { href: string; text: string } | null;
  items: { href: string; text: string; reference: string; dueDate: string; tag: { text: string; classes: string } }[];
}

/** A panel another module adds to the staff home (`home.addStaffPanel`): null for those who do not see it. */
export type StaffPanelSource = (actor: Actor) => Promise<Panel | null>;

/** The keys of one authority's home snapshots (see `HomeService.portalHome`). */
const portalSnapshotPrefix = (authorityId: string) => `home.portal:${authorityId}:`;

/** How many items each panel of a home page lists (its count says how many there are in all). */
export const PANEL_ITEMS = 5;
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

/** The start of the authority's year (1 April) that a London date falls in. */
export function yearStart(today: IsoDate): IsoDate {
  const year = Number(today.slice(0, 4));
  return today.slice(5) >= '04-01' ? `${year}-04-01` : `${year - 1}-04-01`;
}

/** The Monday of the week a date falls in: the week a weekly email belongs to. */
export function mondayOf(date: IsoDate): IsoDate {
  return addDays(date, -((dayOfWeek(date) + 6) % 7));
}

export interface HomeServiceDeps {
  enquiries: EnquiriesService;
  decisions: DecisionsService;
  remedies: RemediesService;
  publicReports: PublicReportsService;
  complaints: ComplaintsService;
  linkOfficers: LinkOfficersService;
  correspondence: CorrespondenceService;
  snapshots: Snapshots;
}

/**
 * The home pages: the authority's (what needs doing, soonest due first, from the modules that own the
 * work) and the staff's (each role's own work), and the weekly email to link officers of what falls due.
 */
export class HomeService {
  private readonly repo: HomeRepository;
  private readonly panelSources: StaffPanelSource[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
    private readonly deps: HomeServiceDeps,
    private readonly settings: { baseUrl: string },
  ) {
    this.repo = new HomeRepository(db);
  }

  private today(): IsoDate {
    return this.calendar.londonDate(this.clock.now());
  }

  // The authority's home -------------------------------------------------------------------------

  /**
   * An authority user's home: a delegate's own tasks first; a link officer's enquiries, delegated
   * tasks, drafts waiting for comments, remedies and public report steps, and the on-time rate for
   * enquiry responses this year. Each panel: its first items, soonest due first, and its counts.
   *
   * The panels are a snapshot kept for DASHBOARD_CACHE_SECONDS and shared by the authority's users
   * who see the same panels (both its link officers; a delegate's own tasks are theirs alone). Any
   * change an authority user makes drops their authority's snapshots in this process
   * (`portalChanged`), so they see their own action at once; a change made by the ombudsman's staff
   * shows within the bound.
   */
  async portalHome(actor: Actor) {
    const authorityId = actor.authorityId;
    if (authorityId === null || !can(actor, 'portal:home')) throw forbidden();
    const linkOfficer = actor.roles.includes('link-officer');
    const delegate = !linkOfficer && actor.roles.includes('delegate');
    const sees = {
      drafts: can(actor, 'decisions:portal'),
      remedies: can(actor, 'remedies:portal'),
      steps: can(actor, 'public-reports:portal'),
    };
    // What the panels depend on: which panels, and a delegate's own tasks.
    const view = [linkOfficer, delegate, sees.drafts, sees.remedies, sees.steps].map(Number).join('');
    const key = `${portalSnapshotPrefix(authorityId)}${view}${delegate ? `:${actor.id}` : ''}`;
    return this.deps.snapshots.get(key, () => this.readPortalHome(actor, authorityId, linkOfficer, delegate, sees));
  }

  /** Forgets an authority's home snapshots in this process: one of its users has just changed something. */
  portalChanged(authorityId: string): void {
    this.deps.snapshots.drop(portalSnapshotPrefix(authorityId));
  }

  private async readPortalHome(
    actor: Actor,
    authorityId: string,
    linkOfficer: boolean,
    delegate: boolean,
    sees: { drafts: boolean; remedies: boolean; steps: boolean },
  ) {
    const scope = { authorityId };
    const limit = PANEL_ITEMS;
    const { enquiries, decisions, remedies, publicReports } = this.deps;
    const [tasks, open, drafts, due, steps, onTime] = await Promise.all([
      linkOfficer || delegate ? enquiries.delegatedTasks(actor, authorityId, { limit }) : null,
      linkOfficer ? enquiries.homePanel(actor, scope, { limit }) : null,
      sees.drafts ? decisions.awaitingComment(actor, scope, { limit }) : null,
      sees.remedies ? remedies.homePanel(actor, scope, { limit }) : null,
      sees.steps ? publicReports.stepsDue(actor, authorityId, { limit }) : null,
      linkOfficer ? enquiries.onTimeSince(actor, authorityId, yearStart(this.today())) : null,
    ]);
    return { linkOfficer, delegate, tasks, enquiries: open, drafts, remedies: due, steps, onTime };
  }

  // The staff's home -----------------------------------------------------------------------------

  /** Adds a panel to the staff home, after home's own; the source decides who sees it. */
  addStaffPanel(source: StaffPanelSource): void {
    this.panelSources.push(source);
  }

  /** A staff member's home: a panel for each of their roles' work. */
  async staffHome(actor: Actor) {
    if (actor.authorityId !== null || !can(actor, 'staff:home')) throw forbidden();
    const has = (role: Actor['roles'][number]) => actor.roles.includes(role);
    const { enquiries, decisions, remedies, complaints, linkOfficers, correspondence, snapshots } = this.deps;
    const limit = PANEL_ITEMS;
    const investigator = has('investigator');
    const manager = has('casework-manager');
    const lead = has('relationship-lead');
    const admin = has('administrator');
    const mine = { investigatorId: actor.id };
    // Panels every staff member sees alike are shared for DASHBOARD_CACHE_SECONDS; a person's own work is read afresh.
    const [
      myCases,
      myEnquiries,
      myDrafts,
      myRemedies,
      evidence,
      extensions,
      reviews,
      escalated,
      queue,
      withoutLinkOfficer,
      changes,
      bouncing,
      overdue,
      added,
    ] = await Promise.all([
      investigator ? complaints.list(actor, { investigatorId: actor.id }, undefined, limit) : null,
      investigator ? enquiries.homePanel(actor, mine, { limit }) : null,
      investigator ? decisions.awaitingComment(actor, mine, { limit }) : null,
      investigator ? remedies.homePanel(actor, mine, { limit }) : null,
      has('team-coordinator') || manager
        ? snapshots.get('home.evidence', () => remedies.evidenceToCheck(actor, limit))
        : null,
      manager ? snapshots.get('home.extensions', () => enquiries.pendingExtensions(actor, limit)) : null,
      manager ? snapshots.get('home.reviews', () => decisions.pendingReviews(actor, limit)) : null,
      manager ? snapshots.get('home.escalated', () => remedies.escalatedRemedies(actor, limit)) : null,
      has('intake-officer') || manager
        ? snapshots.get('home.queue', () => complaints.queue(actor, undefined, limit))
        : null,
      lead || admin
        ? snapshots.get('home.without-link-officer', () => linkOfficers.authoritiesWithoutLinkOfficer(10))
        : null,
      can(actor, 'link-officers:manage')
        ? snapshots.get('home.link-officer-changes', () => linkOfficers.pendingChanges(actor))
        : null,
      lead || admin ? snapshots.get('home.bouncing', () => correspondence.bouncingAuthorities(actor, 10)) : null,
      manager || admin ? snapshots.get('home.overdue-enquiries', () => enquiries.overdue(actor, 10)) : null,
      Promise.all(this.panelSources.map((source) => source(actor))),
    ]);
    return {
      investigator: investigator ? { myCases, enquiries: myEnquiries, drafts: myDrafts, remedies: myRemedies } : null,
      evidence,
      extensions,
      reviews,
      escalated,
      queue,
      needsLinkOfficer: withoutLinkOfficer
        ? Object.assign({ changesLink: can(actor, 'link-officers:manage') }, withoutLinkOfficer)
        : null,
      changes: changes ? { total: changes.length, items: changes.slice(0, limit) } : null,
      bouncing,
      overdueEnquiries: overdue,
      panels: added.filter((p): p is Panel => p !== null),
    };
  }

  // The weekly email -----------------------------------------------------------------------------

  /** Whether the person gets the weekly email. */
  async digestOn(actor: Actor): Promise<boolean> {
    if (actor.type !== 'user' || actor.authorityId === null) throw forbidden();
    return this.repo.digestOn(actor.id);
  }

  /** Turns the weekly email on or off for the person signed in ("Your account"). */
  async setDigest(actor: Actor, on: boolean): Promise<void> {
    if (actor.type !== 'user' || actor.authorityId === null) throw forbidden();
    const authorityId = actor.authorityId;
    await this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).setDigest(actor.id, on, this.clock.now());
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

  /** Where the stop link of a weekly email stands: `on` (not stopped yet), `stopped`, or null for a link not known. */
  async digestStopLink(token: string): Promise<'on' | 'stopped' | null> {
    if (token.length < 20 || token.length > 100) return null;
    const sent = await this.repo.digestByStopHash(hashSecret(token));
    if (!sent) return null;
    return (await this.repo.digestOn(sent.user_id)) ? 'on' : 'stopped';
  }

  /**
   * The stop link in a weekly email, confirmed on its page or posted by a mail client's one-click
   * unsubscribe: stops it for the person it was sent to. False for a link not known.
   */
  async stopDigest(token: string): Promise<boolean> {
    if (token.length < 20 || token.length > 100) return false;
    const sent = await this.repo.digestByStopHash(hashSecret(token));
    if (!sent) return false;
    // Stopping it again changes nothing more.
    if (!(await this.repo.digestOn(sent.user_id))) return true;
    await this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).setDigest(sent.user_id, false, this.clock.now());
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
  private async digestSections(authorityId: string, dueBy: IsoDate): Promise<DigestSection[]> {
    const { enquiries, decisions, remedies, publicReports } = this.deps;
    const scope = { authorityId };
    const o = { dueBy, limit: DIGEST_ITEMS };
    const base = this.settings.baseUrl;
    const [open, tasks, drafts, due, steps] = await Promise.all([
      enquiries.homePanel(null, scope, o),
      enquiries.delegatedTasks(null, authorityId, o),
      decisions.awaitingComment(null, scope, o),
      remedies.homePanel(null, scope, o),
      publicReports.stepsDue(null, authorityId, o),
    ]);
    const today = this.today();
    return [
      {
        heading: 'Enquiry responses',
        total: open.total,
        lines: open.items.map((e) => ({
          text: `${e.kindName} ${e.number} on complaint ${e.reference}`,
          dueDate: e.dueDate,
          late: e.dueDate < today,
          href: `${base}/portal/enquiries/${e.id}`,
        })),
      },
      {
        heading: 'Tasks delegated to colleagues',
        total: tasks.total,
        lines: tasks.items.map((t) => ({
          text: `${t.delegateName}: enquiry ${t.number} on complaint ${t.reference}${t.question === null ? '' : `, question ${t.question}`}`,
          dueDate: t.dueDate,
          late: t.late,
          href: `${base}/portal/enquiries/${t.enquiryId}`,
        })),
      },
      {
        heading: 'Comments on drafts',
        total: drafts.total,
        lines: drafts.items.map((d) => ({
          text: `${d.formName} on complaint ${d.reference}`,
          dueDate: d.dueDate,
          late: d.late,
          href: `${base}/portal/complaints/${d.complaintId}/decision`,
        })),
      },
      {
        heading: 'Remedies',
        total: due.total,
        lines: due.items.map((r) => ({
          text: `${r.typeName} on complaint ${r.reference}`,
          dueDate: r.dueDate,
          late: r.late,
          href: `${base}/portal/remedies/${r.id}`,
        })),
      },
      {
        heading: 'Public report steps',
        total: steps.total,
        lines: steps.items.map((s) => ({
          text: `${s.stepName} for complaint ${s.reference}`,
          dueDate: s.dueDate,
          late: s.late,
          href: `${base}/portal/public-reports/${s.reportId}`,
        })),
      },
    ];
  }

  /**
   * Sends this week's email to every link officer owed it: what falls due at their authority within
   * the next ten working days, and anything already late. A link officer with nothing due gets no
   * email (the week is still recorded for them). Each person gets at most one a week, whoever runs it
   * and however often: the (person, week) row is written in the transaction that queues the message.
   */
  async sendWeeklyDigests(): Promise<{ sent: number; nothingDue: number }> {
    const today = this.today();
    const weekOf = mondayOf(today);
    const dueBy = this.calendar.addWorkingDays(today, DIGEST_WORKING_DAYS).date;
    const sectionsByAuthority = new Map<string, DigestSection[]>();
    let sent = 0;
    let nothingDue = 0;
    for (;;) {
      const batch = await this.repo.recipients(weekOf, 200);
      if (batch.length === 0) break;
      for (const person of batch) {
        let sections = sectionsByAuthority.get(person.authority_id);
        if (!sections) {
          sections = await this.digestSections(person.authority_id, dueBy);
          // Authorities come in order: only the current one's figures are kept.
          sectionsByAuthority.clear();
          sectionsByAuthority.set(person.authority_id, sections);
        }
        const items = sections.reduce((n, s) => n + s.total, 0);
        const token = newSecret();
        const written = await this.db.transaction().execute(async (trx) => {
          const recorded = await this.repo.with(trx).recordDigest({
            userId: person.id,
            authorityId: person.authority_id,
            weekOf,
            items,
            stopTokenHash: hashSecret(token),
            sentAt: this.clock.now(),
          });
          if (!recorded || items === 0) return false;
          await enqueueMail(
            trx,
            weeklyDigestMail({
              to: person.email,
              name: person.display_name,
              authorityName: person.authority_name,
              weekOf,
              dueBy,
              sections: sections ?? [],
              homeUrl: `${this.settings.baseUrl}/portal`,
              stopUrl: `${this.settings.baseUrl}/weekly-email/stop/${token}`,
              oneClickUrl: `${this.settings.baseUrl}/api/v1/weekly-email/stop/${token}`,
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
  async sendWeeklyDigestsWhenDue(): Promise<{ sent: number; nothingDue: number } | null> {
    const now = this.clock.now();
    const today = this.calendar.londonDate(now);
    if (dayOfWeek(today) !== 1) return null;
    if (Number(londonClock.format(now)) < DIGEST_HOUR) return null;
    return this.sendWeeklyDigests();
  }
}
