import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Link officers: the one or two people at an authority who receive all the ombudsman's
 * correspondence. Pure rules only.
 */

/** An authority names at most two link officers, held in places 1 and 2. */
export const SLOTS = [1, 2] as const;
export type Slot = (typeof SLOTS)[number];

export const isSlot = (value: number): value is Slot => value === 1 || value === 2;

/** The details held for each link officer, and asked for when one changes. */
export interface OfficerDetails {
  title: string;
  forename: string;
  surname: string;
  jobTitle: string;
  email: string;
  /** Where ombudsman correspondence goes, when not the direct email. */
  correspondenceEmail: string | null;
  /** E.164, e.g. +442079460958. */
  phone: string;
}

export interface LinkOfficer extends OfficerDetails {
  id: string;
  authorityId: string;
  slot: Slot;
  userId: string | null;
  /** Since when mail to the officer's correspondence address bounces permanently (null: it does not). */
  failingSince: Date | null;
  /** The delivery report's status code of that failure (e.g. 5.1.1). */
  bounceStatus: string | null;
}

export const TOO_MANY_OFFICERS = 'An authority can have no more than two link officers. Replace or remove one first.';

/** The first free place, or null when both are taken. */
export function freeSlot(taken: readonly number[]): Slot | null {
  return SLOTS.find((s) => !taken.includes(s)) ?? null;
}

export type PhoneResult = { ok: true; e164: string } | { ok: false; message: string };

/** Checks a UK telephone number as a person types it and gives it back in E.164. */
export function parseUkPhone(input: string): PhoneResult {
  const value = input.trim();
  if (value === '') return { ok: false, message: 'Enter a direct telephone number' };
  if (!/^[\d\s()+\-.]+$/.test(value)) {
    return { ok: false, message: 'Enter a telephone number, like 020 7946 0958 or 07911 123456' };
  }
  const parsed = parsePhoneNumberFromString(value, 'GB');
  if (!parsed) return { ok: false, message: 'Enter a telephone number, like 020 7946 0958 or 07911 123456' };
  if (parsed.countryCallingCode !== '44') return { ok: false, message: 'Enter a UK telephone number' };
  if (!parsed.isValid()) {
    return { ok: false, message: 'Enter a telephone number, like 020 7946 0958 or 07911 123456' };
  }
  return { ok: true, e164: parsed.number };
}

/** A stored E.164 number as a person in the UK would write it. */
export function formatUkPhone(e164: string): string {
  return parsePhoneNumberFromString(e164, 'GB')?.formatNational() ?? e164;
}

/** Where ombudsman correspondence for this officer goes. */
export const correspondenceAddress = (officer: Pick<OfficerDetails, 'email' | 'correspondenceEmail'>): string =>
  officer.correspondenceEmail ?? officer.email;

export const fullName = (o: Pick<OfficerDetails, 'title' | 'forename' | 'surname'>): string =>
  [o.title, o.forename, o.surname].filter((p) => p.trim() !== '').join(' ');

/** Who receives a link officer's correspondence while they are away (dates inclusive, London dates). */
export interface Cover {
  linkOfficerId: string;
  startsOn: string;
  endsOn: string;
  /** The covering person's address: a delegate's, or the other link officer's correspondence address. */
  coverEmail: string;
}

export type RecipientReason = 'link-officer' | 'cover' | 'generic-inbox' | 'chief-executive';

export interface CorrespondenceRecipient {
  email: string;
  as: RecipientReason;
  /** The link officer this address stands for (their own or their cover's). */
  linkOfficerId?: string;
}

/**
 * Where the ombudsman's correspondence to an authority goes on a date: every link officer (or whoever
 * covers them that day) and the generic inbox; with no link officer, the generic inbox alone;
 * failing that, the chief executive. An address appears once.
 */
export function resolveRecipients(input: {
  officers: readonly Pick<LinkOfficer, 'id' | 'slot' | 'email' | 'correspondenceEmail'>[];
  covers: readonly Cover[];
  genericInbox: string | null;
  chiefExecutiveEmail: string | null;
  onDate: string;
}): CorrespondenceRecipient[] {
  const out: CorrespondenceRecipient[] = [];
  const seen = new Set<string>();
  const add = (r: CorrespondenceRecipient) => {
    const key = r.email.trim().toLowerCase();
    if (key === '' || seen.has(key)) return;
    seen.add(key);
    out.push({ ...r, email: r.email.trim() });
  };
  const officers = [...input.officers].sort((a, b) => a.slot - b.slot);
  for (const officer of officers) {
    const cover = input.covers.find(
      (c) => c.linkOfficerId === officer.id && c.startsOn <= input.onDate && input.onDate <= c.endsOn,
    );
    if (cover) add({ email: cover.coverEmail, as: 'cover', linkOfficerId: officer.id });
    else add({ email: correspondenceAddress(officer), as: 'link-officer', linkOfficerId: officer.id });
  }
  if (input.genericInbox) add({ email: input.genericInbox, as: 'generic-inbox' });
  if (out.length === 0 && input.chiefExecutiveEmail) add({ email: input.chiefExecutiveEmail, as: 'chief-executive' });
  return out;
}

const londonDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The London calendar date of an instant, as 'YYYY-MM-DD'. */
export const londonDate = (at: Date): string => londonDay.format(at);

/**
 * How a person's details may have been written into a copy (an email's text, a job payload).
 * `identifying`: values that single them out (full name, email addresses, phone number in its usual
 * spellings): a copy holding one of these is about them. `all`: those plus the forename and surname
 * alone, scrubbed from such copies too. Longest first, so phrases go before the names inside them.
 */
export function erasureNeedles(
  person: Pick<OfficerDetails, 'title' | 'forename' | 'surname' | 'email' | 'correspondenceEmail' | 'phone'>,
): { identifying: string[]; all: string[] } {
  const identifying = new Set<string>();
  const push = (set: Set<string>, v: string | null | undefined) => {
    if (v && v.trim().length >= 2) set.add(v.trim());
  };
  push(identifying, `${person.forename} ${person.surname}`);
  push(identifying, fullName(person));
  push(identifying, person.email);
  push(identifying, person.correspondenceEmail);
  push(identifying, person.phone);
  const parsed = parsePhoneNumberFromString(person.phone, 'GB');
  if (parsed) {
    push(identifying, parsed.formatNational());
    push(identifying, parsed.formatInternational());
    push(identifying, `0${parsed.nationalNumber}`);
  }
  const all = new Set(identifying);
  push(all, person.forename);
  push(all, person.surname);
  const byLength = (a: string, b: string) => b.length - a.length;
  return { identifying: [...identifying].sort(byLength), all: [...all].sort(byLength) };
}

/** Replaces every case-insensitive occurrence of each needle with the erasure marker. */
export function redact(text: string, needles: readonly string[], marker = '[erased]'): string {
  let out = text;
  for (const needle of needles) {
    const pattern = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
    out = out.replace(pattern, marker);
  }
  return out;
}

export const containsAny = (text: string, needles: readonly string[]): boolean => {
  const lower = text.toLowerCase();
  return needles.some((n) => lower.includes(n.toLowerCase()));
};
