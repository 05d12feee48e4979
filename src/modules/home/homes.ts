import { forbidden } from '../../platform/errors.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { PANEL_ITEMS, type HomeContext, type Panel } from './context.ts';
import { yearStart } from './dates.ts';

// The home pages: the authority's (what needs doing, soonest due first, from the modules that own
// the work) and the staff's (each role's own work).

/** The keys of one authority's home snapshots (see `portalHome`). */
const portalSnapshotPrefix = (authorityId: string) => `home.portal:${authorityId}:`;

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
export async function portalHome(ctx: HomeContext, actor: Actor) {
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
  return ctx.deps.snapshots.get(key, () => readPortalHome(ctx, actor, authorityId, linkOfficer, delegate, sees));
}

/** Forgets an authority's home snapshots in this process: one of its users has just changed something. */
export function portalChanged(ctx: HomeContext, authorityId: string): void {
  ctx.deps.snapshots.drop(portalSnapshotPrefix(authorityId));
}

async function readPortalHome(
  ctx: HomeContext,
  actor: Actor,
  authorityId: string,
  linkOfficer: boolean,
  delegate: boolean,
  sees: { drafts: boolean; remedies: boolean; steps: boolean },
) {
  const scope = { authorityId };
  const limit = PANEL_ITEMS;
  const { enquiries, decisions, remedies, publicReports } = ctx.deps;
  const [tasks, open, drafts, due, steps, onTime] = await Promise.all([
    linkOfficer || delegate ? enquiries.delegatedTasks(actor, authorityId, { limit }) : null,
    linkOfficer ? enquiries.homePanel(actor, scope, { limit }) : null,
    sees.drafts ? decisions.awaitingComment(actor, scope, { limit }) : null,
    sees.remedies ? remedies.homePanel(actor, scope, { limit }) : null,
    sees.steps ? publicReports.stepsDue(actor, authorityId, { limit }) : null,
    linkOfficer ? enquiries.onTimeSince(actor, authorityId, yearStart(londonToday(ctx))) : null,
  ]);
  return { linkOfficer, delegate, tasks, enquiries: open, drafts, remedies: due, steps, onTime };
}

/** A staff member's home: a panel for each of their roles' work. */
export async function staffHome(ctx: HomeContext, actor: Actor) {
  if (actor.authorityId !== null || !can(actor, 'staff:home')) throw forbidden();
  const has = (role: Actor['roles'][number]) => actor.roles.includes(role);
  const { enquiries, decisions, remedies, complaints, linkOfficers, correspondence, snapshots } = ctx.deps;
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
    Promise.all(ctx.panelSources.map((source) => source(actor))),
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
