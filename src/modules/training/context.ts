import crypto from 'node:crypto';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import { DomainError, forbidden } from '../../platform/errors.ts';
import { auditActor, can, type Actor, type Permission } from '../accounts/domain.ts';
import type { AuditActor } from '../../platform/audit/audit.ts';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import type { TrainingRepository } from './training.repository.ts';
import type { TrainingReportsRepository } from './reports.repository.ts';

export interface TrainingSettings {
  /** The address pages and links in messages start with. */
  baseUrl: string;
  /** Hours an offered place is held for the first on the waiting list. */
  offerHours: number;
  /** Who calendar entries are from. */
  organiser: { name: string; email: string };
  /**
   * Milliseconds the first booking of a session waits for others arriving with it, so that they are
   * written in one transaction (5 when not given).
   */
  gatherMs?: number;
}

/** What every training use case works with. */
export interface TrainingContext {
  repo: TrainingRepository;
  reports: TrainingReportsRepository;
  clock: Clock;
  calendar: WorkingCalendar;
  settings: TrainingSettings;
}

export function needs(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw forbidden();
}

export const auditBy = (actor: Actor | null): AuditActor => (actor ? auditActor(actor) : SYSTEM_ACTOR);

/** A random link token and the hash that is stored in its place. */
export function newToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

/** A link token as it arrives: anything not shaped like one is simply not found. */
export const isTokenShaped = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

/** A link that cannot be used (unknown, used or expired): a page that says why, changing nothing. */
export const gone = (message: string) => new DomainError('gone', message);
