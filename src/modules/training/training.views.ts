import { formatDate, formatTime } from '../../platform/dates.ts';
import { AUDIENCE_NAMES, BOOKING_STATUS_NAMES, FORMAT_NAMES, durationText, priceText } from './domain.ts';
import type { BookingRow, CourseRow, SessionRow } from './training.repository.ts';

/** What pages say about a course, in words. */
export function courseFacts(course: CourseRow) {
  return {
    audience: course.audiences.map((a) => AUDIENCE_NAMES[a]).join(', '),
    format: FORMAT_NAMES[course.format],
    price: priceText(course.price_pence),
    duration: durationText(course.duration_minutes),
  };
}

/** "29 March 2027, 10am to 1pm". */
export const sessionWhen = (s: Pick<SessionRow, 'starts_at' | 'ends_at'>) =>
  `${formatDate(s.starts_at)}, ${formatTime(s.starts_at)} to ${formatTime(s.ends_at)}`;

export const bookingStatus = (b: Pick<BookingRow, 'status' | 'position'>) => BOOKING_STATUS_NAMES[b.status];
