import { describe, expect, it } from 'vitest';
import { londonInstant, parseCallTimes } from './call-times.ts';
import {
  contactFlags,
  defaultReviewOn,
  recordProblems,
  reviewState,
  termLines,
  weekStart,
  type RecordInput,
  type Terms,
} from './domain.ts';
import { decisionLetter } from './letter-texts.ts';

const noTerms: Terms = {
  channels: [],
  namedOfficerId: null,
  callTimes: null,
  maxCallMinutes: null,
  writtenOnly: false,
  weeklyContactCap: null,
  settledComplaintId: null,
  tellAuthority: false,
};
const restriction = (over: Partial<RecordInput> = {}): RecordInput => ({
  ...noTerms,
  channels: ['email'],
  kind: 'restriction',
  reason: 'Forty calls a day',
  reviewOn: null,
  staffSafetyRisk: false,
  noWarningReason: null,
  ...over,
});
const ctx = { today: '2027-03-01', warned: true, restricted: false, officerActive: true, settledIsTheirs: true };
const fields = (input: RecordInput, c = ctx) => recordProblems(input, c).map((p) => p.field);

describe('conduct: recording a warning or restriction', () => {
  it('reviews six months on by default', () => {
    expect(defaultReviewOn('2027-03-01')).toBe('2027-09-01');
    expect(defaultReviewOn('2027-08-31')).toBe('2028-02-29');
  });

  it('needs a warning first unless staff safety is at risk, and then a reason', () => {
    expect(fields(restriction(), { ...ctx, warned: false })).toEqual(['kind']);
    expect(fields(restriction({ staffSafetyRisk: true }), { ...ctx, warned: false })).toEqual(['noWarningReason']);
    expect(
      fields(restriction({ staffSafetyRisk: true, noWarningReason: 'Threats to an officer' }), {
        ...ctx,
        warned: false,
      }),
    ).toEqual([]);
    expect(fields(restriction())).toEqual([]);
  });

  it('keeps the review date in the future and at most twelve months ahead', () => {
    expect(fields(restriction({ reviewOn: '2027-03-01' }))).toEqual(['reviewDate']);
    expect(fields(restriction({ reviewOn: '2028-03-01' }))).toEqual([]);
    expect(fields(restriction({ reviewOn: '2028-03-02' }))).toEqual(['reviewDate']);
  });

  it('refuses a restriction without terms, an inactive officer, and a second restriction', () => {
    expect(fields(restriction({ channels: [] }))).toEqual(['terms']);
    expect(fields(restriction({ namedOfficerId: 'x' }), { ...ctx, officerActive: false })).toEqual(['namedOfficerId']);
    expect(fields(restriction(), { ...ctx, restricted: true })).toEqual(['kind']);
  });
});

describe('conduct: contacts and reviews', () => {
  const terms: Terms = { ...noTerms, channels: ['email'], namedOfficerId: 'o', weeklyContactCap: 2 };
  const contact = {
    channel: 'email' as const,
    complaintId: 'c',
    toAddresses: ['officer@ombudsman.example'],
    officerEmail: 'officer@ombudsman.example',
    earlierThisWeek: 0,
  };

  it('flags a channel they may not use, mail not sent to the named officer and contacts beyond the cap', () => {
    expect(contactFlags(terms, contact)).toEqual([]);
    expect(contactFlags(terms, { ...contact, channel: 'phone' })).toEqual(['outside-channel']);
    expect(contactFlags(terms, { ...contact, toAddresses: ['case+abc@liaison.example'] })).toEqual([
      'not-to-named-officer',
    ]);
    expect(contactFlags(terms, { ...contact, earlierThisWeek: 2 })).toEqual(['over-weekly-cap']);
  });

  it('says when a review is overdue or due soon', () => {
    expect(reviewState('2027-02-28', '2027-03-01')).toBe('overdue');
    expect(reviewState('2027-03-10', '2027-03-01')).toBe('due-soon');
    expect(reviewState('2027-06-10', '2027-03-01')).toBe('later');
  });

  it('counts weeks from Monday', () => {
    expect(weekStart('2027-03-07')).toBe('2027-03-01'); // a Sunday
    expect(weekStart('2027-03-01')).toBe('2027-03-01');
  });

  it('writes the decision letter with what, why, how long, the review and the rights', () => {
    const lines = termLines(
      { ...noTerms, channels: ['email'], namedOfficerId: 'o' },
      { officer: 'Ola Officer', settledReference: null },
    );
    const letter = decisionLetter({
      name: 'Sam',
      kind: 'restriction',
      reason: 'Abusive calls',
      terms: lines,
      startsOn: '2027-03-01',
      reviewOn: '2027-09-01',
    });
    expect(letter.text).toContain('Contact by email only');
    expect(letter.text).toContain('One point of contact: Ola Officer');
    expect(letter.text).toContain('Abusive calls');
    expect(letter.text).toContain('1 September 2027');
    expect(letter.text).toContain('reconsider');
    expect(letter.text).toContain('right to complain');
  });
});

describe('call times', () => {
  it('reads days and times written in plain words, and refuses what it cannot read', () => {
    expect(parseCallTimes('Tuesdays 10:00 to 12:00')).toEqual([{ days: [2], from: 600, until: 720 }]);
    expect(parseCallTimes('Monday to Friday 9am to 11am; Saturday 2pm-3pm')).toEqual([
      { days: [1, 2, 3, 4, 5], from: 540, until: 660 },
      { days: [6], from: 840, until: 900 },
    ]);
    expect(parseCallTimes('Tuesdays and Thursdays between 14:00 and 15:30')).toEqual([
      { days: [2, 4], from: 840, until: 930 },
    ]);
    expect(parseCallTimes('10:00 to 11:00')?.[0]?.days).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(parseCallTimes('whenever they like')).toBeNull();
    expect(parseCallTimes('Tuesdays 12:00 to 10:00')).toBeNull();
    expect(parseCallTimes('Fridays 25:00 to 26:00')).toBeNull();
  });

  it('flags a call outside the times, over the length, by phone when not allowed, or not with the named officer', () => {
    const terms = {
      ...noTerms,
      channels: ['email', 'phone'] as Terms['channels'],
      namedOfficerId: 'officer',
      callTimes: 'Tuesdays 10:00 to 12:00',
      maxCallMinutes: 20,
    };
    const contact = {
      channel: 'phone' as const,
      complaintId: null,
      toAddresses: [],
      officerEmail: null,
      earlierThisWeek: 0,
    };
    // 2027-03-02 is a Tuesday.
    const call = (date: string, startMinutes: number, minutes: number, officerId = 'officer') =>
      contactFlags(terms, { ...contact, call: { date, startMinutes, minutes, officerId } });
    expect(call('2027-03-02', 600, 20)).toEqual([]);
    expect(call('2027-03-02', 710, 15)).toEqual(['outside-call-times']);
    expect(call('2027-03-03', 600, 10)).toEqual(['outside-call-times']);
    expect(call('2027-03-02', 600, 45)).toEqual(['call-too-long']);
    expect(call('2027-03-02', 600, 10, 'someone-else')).toEqual(['call-not-named-officer']);
    expect(
      contactFlags(
        { ...terms, channels: ['email'] },
        { ...contact, call: { date: '2027-03-02', startMinutes: 600, minutes: 5, officerId: 'officer' } },
      ),
    ).toEqual(['outside-channel']);
  });

  it('turns a London date and time into the instant, in winter and summer', () => {
    expect(londonInstant('2027-01-12', 600).toISOString()).toBe('2027-01-12T10:00:00.000Z');
    expect(londonInstant('2027-07-12', 600).toISOString()).toBe('2027-07-12T09:00:00.000Z');
    expect(londonInstant('2027-03-28', 600).toISOString()).toBe('2027-03-28T09:00:00.000Z');
  });
});
