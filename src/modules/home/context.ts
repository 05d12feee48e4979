import type { Kysely } from 'kysely';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Snapshots } from '../../platform/snapshot.ts';
import type { Actor } from '../accounts/domain.ts';
import type { ComplaintsService } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { DecisionsService } from '../decisions/decisions.service.ts';
import type { EnquiriesService } from '../enquiries/enquiries.service.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import type { PublicReportsService } from '../public-reports/public-reports.service.ts';
import type { RemediesService } from '../remedies/remedies.service.ts';
import { HomeRepository } from './home.repository.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

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

/** How many items each panel of a home page lists (its count says how many there are in all). */
export const PANEL_ITEMS = 5;

export interface HomeServiceDeps {
  enquiries: EnquiriesService;
  decisions: DecisionsService;
  remedies: RemediesService;
  publicReports: PublicReportsService;
  complaints: ComplaintsService;
  linkOfficers: LinkOfficersService;
  correspondence: CorrespondenceService;
  snapshots: Snapshots;
  mail: Outbox;
}

export interface HomeSettings {
  baseUrl: string;
}

/** What every home use case works with: the repository, the clock and calendar, the modules it reads, the settings. */
export interface HomeContext {
  db: Kysely<Database>;
  repo: HomeRepository;
  clock: Clock;
  calendar: WorkingCalendar;
  deps: HomeServiceDeps;
  settings: HomeSettings;
  /** The panels other modules add to the staff home, in the order added. */
  panelSources: StaffPanelSource[];
}

export function homeContext(
  db: Kysely<Database>,
  clock: Clock,
  calendar: WorkingCalendar,
  deps: HomeServiceDeps,
  settings: HomeSettings,
): HomeContext {
  return { db, repo: new HomeRepository(db), clock, calendar, deps, settings, panelSources: [] };
}
