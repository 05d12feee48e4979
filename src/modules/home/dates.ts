import { addDays, dayOfWeek, type IsoDate } from '../../platform/calendar/calendar.ts';

/** The start of the authority's year (1 April) that a London date falls in. */
export function yearStart(today: IsoDate): IsoDate {
  const year = Number(today.slice(0, 4));
  return today.slice(5) >= '04-01' ? `${year}-04-01` : `${year - 1}-04-01`;
}

/** The Monday of the week a date falls in: the week a weekly email belongs to, or a weekly count starts. */
export function mondayOf(date: IsoDate): IsoDate {
  return addDays(date, -((dayOfWeek(date) + 6) % 7));
}
