import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export interface InviteSession {
  /** Stable across messages, so a calendar updates (or cancels) the one entry. */
  uid: string;
  title: string;
  startsAt: Date;
  endsAt: Date;
  location: string;
  description: string;
  url?: string;
  organiser: { name: string; email: string };
  /** Raised when the entry changes; a cancellation must carry a higher one than the invitation. */
  sequence?: number;
}

/**
 * An iCalendar file for one session. Times are written as instants in UTC (`…Z`), so every calendar
 * shows them at the right London time on either side of a clock change, whatever the time zone of
 * the server that wrote them; the calendar is marked as London's for the clients that show it.
 */
export function sessionInvite(session: InviteSession, options: { cancelled?: boolean; now: Date }): string {
  const calendar = ical({
    prodId: { company: 'Ombudsman', product: 'Liaison training', language: 'EN' },
    method: options.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH,
  });
  calendar.x('X-WR-TIMEZONE', 'Europe/London');
  calendar.createEvent({
    id: session.uid,
    sequence: session.sequence ?? 0,
    stamp: options.now,
    start: session.startsAt,
    end: session.endsAt,
    summary: session.title,
    description: session.description,
    location: session.location,
    organizer: session.organiser,
    ...(session.url ? { url: session.url } : {}),
    status: options.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return calendar.toString();
}
