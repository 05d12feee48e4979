import crypto from 'node:crypto';

/** The Ombudsman Link newsletter's rules: addresses' keys, personal unsubscribe tokens, topics, progress. */

/** Crockford's base 32 digits (no i, l, o or u): tokens survive being lower-cased by a mail server. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Buffer, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= 0xff;
  }
  return out;
}

export const EMAIL_KEY_LENGTH = 24;
const SIGNATURE_LENGTH = 16;

/** An address as compared: trimmed and lower-cased. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/**
 * The key of an address (120 bits of its SHA-256, in base 32): what deliveries and suppressions
 * hold, so one address is one recipient however many ways it qualifies.
 */
export function emailKey(email: string): string {
  return base32(crypto.createHash('sha256').update(normaliseEmail(email)).digest(), EMAIL_KEY_LENGTH);
}

function signature(key: string, secret: string): string {
  return base32(crypto.createHmac('sha256', secret).update(`newsletter-unsubscribe:${key}`).digest(), SIGNATURE_LENGTH);
}

/** The personal token in a recipient's unsubscribe links: the address's key and its signature. */
export function unsubscribeToken(email: string, secret: string): string {
  const key = emailKey(email);
  return `${key}${signature(key, secret)}`;
}

/** The address key a token stands for; null when the token was altered or is not one. */
export function keyOfToken(token: string, secret: string): string | null {
  const cleaned = token.trim().toLowerCase();
  if (cleaned.length !== EMAIL_KEY_LENGTH + SIGNATURE_LENGTH) return null;
  for (const ch of cleaned) if (!ALPHABET.includes(ch)) return null;
  const key = cleaned.slice(0, EMAIL_KEY_LENGTH);
  const expected = Buffer.from(signature(key, secret));
  const given = Buffer.from(cleaned.slice(EMAIL_KEY_LENGTH));
  return crypto.timingSafeEqual(expected, given) ? key : null;
}

/** The local part of the `mailto:` unsubscribe address: `newsletter-unsubscribe+<token>@domain`. */
export const UNSUBSCRIBE_LOCAL = 'newsletter-unsubscribe+';

/** The token in an unsubscribe address at our domain; null for any other address. */
export function tokenFromUnsubscribeAddress(address: string, domain: string): string | null {
  const trimmed = address
    .trim()
    .replace(/^<|>$/g, '')
    .replace(/^mailto:/i, '')
    .toLowerCase();
  const suffix = `@${domain.toLowerCase()}`;
  if (!trimmed.startsWith(UNSUBSCRIBE_LOCAL) || !trimmed.endsWith(suffix)) return null;
  const token = trimmed.slice(UNSUBSCRIBE_LOCAL.length, -suffix.length).split('?')[0] ?? '';
  return token === '' ? null : token;
}

/** Topics an issue is aimed at and a subscriber may choose: the audiences the newsletter serves. */
export const TOPICS = ['councils', 'care-providers', 'councillors', 'advice-workers'] as const;
export type Topic = (typeof TOPICS)[number];
export const TOPIC_NAMES: Record<Topic, string> = {
  councils: 'Councils and other authorities',
  'care-providers': 'Care providers',
  councillors: 'Councillors',
  'advice-workers': 'Advice workers',
};

/**
 * Whether a subscriber with `chosen` topics receives an issue aimed at `aimed`: an issue aimed at no
 * topic goes to everyone, and a subscriber who chose none receives every issue.
 */
export function receives(aimed: readonly string[], chosen: readonly string[]): boolean {
  return aimed.length === 0 || chosen.length === 0 || aimed.some((t) => chosen.includes(t));
}

/** How long an unconfirmed subscription request lives before it is deleted. */
export const CONFIRM_DAYS = 7;

/** An issue's address in the public archive: words of its subject, then its date. */
export function slugFor(subject: string, day: string): string {
  const words = subject
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${words || 'issue'}-${day}`;
}

export interface Counts {
  recipients: number;
  sent: number;
  failed: number;
  bounced: number;
}

export interface Progress extends Counts {
  /** Messages handed to the mail server, failed or bounced, out of recipients, 0 to 100. */
  percent: number;
  perSecond: number | null;
  secondsLeft: number | null;
}

/** How far a send has got, its pace since it began and the time left at that pace. */
export function progressOf(counts: Counts, startedAt: Date | null, now: Date): Progress {
  const done = counts.sent + counts.failed;
  const percent = counts.recipients === 0 ? 100 : Math.min(100, Math.floor((done * 100) / counts.recipients));
  const elapsed = startedAt ? (now.getTime() - startedAt.getTime()) / 1000 : 0;
  const perSecond = elapsed > 0 && done > 0 ? done / elapsed : null;
  const left = Math.max(0, counts.recipients - done);
  return {
    ...counts,
    percent,
    perSecond: perSecond === null ? null : Math.round(perSecond * 10) / 10,
    secondsLeft: perSecond === null ? null : Math.ceil(left / perSecond),
  };
}

/**
 * Markdown `line` added at the end of `body`: on the next line when the body ends with a list item
 * (so the list goes on), after a blank line otherwise.
 */
export function appendMarkdown(body: string, line: string): string {
  const trimmed = body.replace(/\s+$/, '');
  if (trimmed === '') return line;
  const lastLine = trimmed.slice(trimmed.lastIndexOf('\n') + 1);
  return `${trimmed}${/^\s*[-*+] /.test(lastLine) && /^[-*+] /.test(line) ? '\n' : '\n\n'}${line}`;
}
