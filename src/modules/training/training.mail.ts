import { formatDate, formatDateTime, formatTime } from '../../platform/dates.ts';
import type { OutgoingMail } from '../../platform/mail/outbox.ts';
import { sessionInvite } from './calendar-invite.ts';
import type { TrainingSettings } from './context.ts';
import type { BookingRow, SessionDetail } from './training.repository.ts';

/** The messages of training, each to one attendee, written to the outbox in the change's transaction. */

type Person = Pick<BookingRow, 'id' | 'name' | 'email'>;

const when = (s: SessionDetail) => `${formatDate(s.starts_at)}, ${formatTime(s.starts_at)} to ${formatTime(s.ends_at)}`;

const where = (s: SessionDetail) =>
  s.venue ? `Venue: ${s.venue}` : s.joining_instructions ? 'Online (joining instructions below)' : 'Online';

function sessionLines(s: SessionDetail): string[] {
  const lines = [`Course: ${s.course_title}`, `When: ${when(s)} (UK time)`, where(s)];
  if (s.joining_instructions) lines.push('', 'Joining instructions:', s.joining_instructions);
  return lines;
}

const greeting = (b: Person) => `Dear ${b.name},`;

/** A session's calendar file: built once for all the messages about one change that carry it. */
export type CalendarFile = ReturnType<typeof invite>;

export function invite(s: SessionDetail, settings: TrainingSettings, now: Date, cancelled = false) {
  const text = sessionInvite(
    {
      uid: `training-session-${s.id}@liaison`,
      title: s.course_title,
      startsAt: s.starts_at,
      endsAt: s.ends_at,
      location: s.venue ?? 'Online',
      description: s.joining_instructions ?? '',
      organiser: settings.organiser,
      sequence: cancelled ? 1 : 0,
    },
    { now, cancelled },
  );
  return {
    filename: cancelled ? 'cancelled-session.ics' : 'session.ics',
    contentType: `text/calendar; charset=utf-8; method=${cancelled ? 'CANCEL' : 'PUBLISH'}`,
    content: Buffer.from(text, 'utf8'),
  };
}

export function confirmLinkMail(b: Person, s: SessionDetail, link: string): OutgoingMail {
  return {
    kind: 'training-confirm-booking',
    to: b.email,
    subject: `Confirm your booking: ${s.course_title}, ${formatDate(s.starts_at)}`,
    text: [
      greeting(b),
      '',
      `Someone, probably you, asked to book a place on ${s.course_title} on ${when(s)}.`,
      'Your place is not held until you confirm it. Open this link within 24 hours to confirm:',
      '',
      link,
      '',
      'If you did not ask for this, ignore this email and nothing will be booked.',
    ].join('\n'),
    idempotencyKey: `training:confirm-link:${b.id}`,
    automatic: true,
  };
}

/** The kind of the confirmation, the message that carries the calendar file. */
export const BOOKED_KIND = 'training-booked';

export function bookedMail(
  b: Person,
  s: SessionDetail,
  settings: TrainingSettings,
  now: Date,
  calendarFile: CalendarFile = invite(s, settings, now),
): OutgoingMail {
  return {
    kind: BOOKED_KIND,
    to: b.email,
    subject: `Booking confirmed: ${s.course_title}, ${formatDate(s.starts_at)}`,
    text: [
      greeting(b),
      '',
      'Your place is booked.',
      '',
      ...sessionLines(s),
      '',
      'The attached calendar file adds the session to your calendar.',
      'If you can no longer come, tell us so that your place can be offered to someone on the waiting list.',
    ].join('\n'),
    idempotencyKey: `training:booked:${b.id}:${now.getTime()}`,
    attachments: [calendarFile],
    automatic: true,
  };
}

export function waitlistedMail(b: Person & { position: number }, s: SessionDetail): OutgoingMail {
  return {
    kind: 'training-waitlisted',
    to: b.email,
    subject: `On the waiting list: ${s.course_title}, ${formatDate(s.starts_at)}`,
    text: [
      greeting(b),
      '',
      `The session on ${when(s)} is full, so you are on its waiting list (number ${b.position} in order of booking).`,
      'If a place comes free we will email you an offer, which you can accept within a set time.',
    ].join('\n'),
    idempotencyKey: `training:waitlisted:${b.id}`,
    automatic: true,
  };
}

export function offerMail(b: Person, s: SessionDetail, link: string, expiresAt: Date): OutgoingMail {
  return {
    kind: 'training-offer',
    to: b.email,
    subject: `A place is free: ${s.course_title}, ${formatDate(s.starts_at)}`,
    text: [
      greeting(b),
      '',
      `A place has come free on ${s.course_title} on ${when(s)}, and you are first on the waiting list.`,
      `It is held for you until ${formatDateTime(expiresAt)}. Open this link to accept or decline it:`,
      '',
      link,
      '',
      'If you do not answer by then, the place is offered to the next person on the list.',
    ].join('\n'),
    idempotencyKey: `training:offer:${b.id}:${expiresAt.getTime()}`,
    automatic: true,
  };
}

export function reminderMail(b: Person, s: SessionDetail): OutgoingMail {
  return {
    kind: 'training-reminder',
    to: b.email,
    subject: `Reminder: ${s.course_title}, ${formatDate(s.starts_at)}`,
    text: [greeting(b), '', 'A reminder that you are booked on:', '', ...sessionLines(s)].join('\n'),
    idempotencyKey: `training:reminder:${b.id}`,
    automatic: true,
  };
}

export function bookingCancelledMail(b: Person, s: SessionDetail, settings: TrainingSettings, now: Date): OutgoingMail {
  return {
    kind: 'training-booking-cancelled',
    to: b.email,
    subject: `Booking cancelled: ${s.course_title}, ${formatDate(s.starts_at)}`,
    text: [greeting(b), '', `Your booking for ${s.course_title} on ${when(s)} is cancelled.`].join('\n'),
    idempotencyKey: `training:booking-cancelled:${b.id}`,
    attachments: [invite(s, settings, now, true)],
    automatic: true,
  };
}

export function sessionCancelledMail(b: Person, s: SessionDetail, settings: TrainingSettings, now: Date): OutgoingMail {
  return {
    kind: 'training-session-cancelled',
    to: b.email,
    subject: `Session cancelled: ${s.course_title}, ${formatDate(s.starts_at)}`,
    text: [
      greeting(b),
      '',
      `We are sorry: the session of ${s.course_title} on ${when(s)} has been cancelled, and your booking with it.`,
      'You can book another session on our training pages.',
      '',
      `${settings.baseUrl}/training`,
    ].join('\n'),
    idempotencyKey: `training:session-cancelled:${b.id}`,
    attachments: [invite(s, settings, now, true)],
    automatic: true,
  };
}

export function attendedMail(b: Person, s: SessionDetail, link: string): OutgoingMail {
  return {
    kind: 'training-attended',
    to: b.email,
    subject: `Your certificate: ${s.course_title}`,
    text: [
      greeting(b),
      '',
      `Thank you for attending ${s.course_title} on ${formatDate(s.starts_at)}.`,
      'Download your certificate, and tell us what you thought of the session, here:',
      '',
      link,
    ].join('\n'),
    idempotencyKey: `training:attended:${b.id}`,
    automatic: true,
  };
}
