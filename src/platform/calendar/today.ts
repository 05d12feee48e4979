import type { Clock } from '../clock.ts';
import { londonDate, type IsoDate, type WorkingCalendar } from './calendar.ts';

/** What `londonToday` reads: the clock, and the calendar when the caller has one. */
export interface TodaySource {
  readonly clock: Clock;
  readonly calendar?: Pick<WorkingCalendar, 'londonDate'>;
}

/** Today's date in London by the caller's clock (through its calendar when it has one). */
export function londonToday(ctx: TodaySource): IsoDate {
  const now = ctx.clock.now();
  return ctx.calendar ? ctx.calendar.londonDate(now) : londonDate(now);
}
