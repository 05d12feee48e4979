import type { Kysely } from 'kysely';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Actor } from '../accounts/domain.ts';
import {
  homeContext,
  type HomeContext,
  type HomeServiceDeps,
  type HomeSettings,
  type StaffPanelSource,
} from './context.ts';
import * as homes from './homes.ts';
import * as weeklyEmail from './weekly-email.ts';

export type { HomeServiceDeps, Panel, StaffPanelSource } from './context.ts';

/**
 * The home pages: the authority's (what needs doing, soonest due first, from the modules that own the
 * work) and the staff's (each role's own work), and the weekly email to link officers of what falls due.
 * Each group of use cases is in its own file; this class is their one door.
 */
export class HomeService {
  private readonly ctx: HomeContext;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    calendar: WorkingCalendar,
    deps: HomeServiceDeps,
    settings: HomeSettings,
  ) {
    this.ctx = homeContext(db, clock, calendar, deps, settings);
  }

  // The authority's home.
  portalHome = (actor: Actor) => homes.portalHome(this.ctx, actor);
  /** Forgets an authority's home snapshots in this process: one of its users has just changed something. */
  portalChanged = (authorityId: string): void => homes.portalChanged(this.ctx, authorityId);

  // The staff's home.
  /** Adds a panel to the staff home, after home's own; the source decides who sees it. */
  addStaffPanel(source: StaffPanelSource): void {
    this.ctx.panelSources.push(source);
  }
  staffHome = (actor: Actor) => homes.staffHome(this.ctx, actor);

  // The weekly email.
  digestOn = (actor: Actor) => weeklyEmail.digestOn(this.ctx, actor);
  setDigest = (actor: Actor, on: boolean) => weeklyEmail.setDigest(this.ctx, actor, on);
  digestStopLink = (token: string) => weeklyEmail.digestStopLink(this.ctx, token);
  stopDigest = (token: string) => weeklyEmail.stopDigest(this.ctx, token);
  sendWeeklyDigests = () => weeklyEmail.sendWeeklyDigests(this.ctx);
  sendWeeklyDigestsWhenDue = () => weeklyEmail.sendWeeklyDigestsWhenDue(this.ctx);
}
