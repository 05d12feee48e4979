import { hmac, safeEqual } from '../../http/cookies.ts';
import { textProblem } from '../../platform/input.ts';

/**
 * The visitor's cookie choice and the cookies that carry it. Liaison's own cookies are all strictly
 * necessary except the analytics cookie, which is set only once the visitor has said yes to it.
 */

export const CONSENT_COOKIE = 'liaison_consent';
export const ANALYTICS_COOKIE = 'liaison_analytics';
/** The consent cookie lasts a year; the banner then asks again. */
export const CONSENT_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * Raised when what the consent cookie records changes meaning (a new kind of optional cookie):
 * consents given under an earlier version are then "no choice yet", and the banner asks again.
 */
const CONSENT_VERSION = 1;

export type AnalyticsChoice = 'yes' | 'no';

export interface Consent {
  analytics: AnalyticsChoice;
  /** Chosen on the previous request: the banner shows its confirmation once. */
  justChosen: boolean;
}

const mac = (secret: string, body: string) => hmac(secret, `liaison-consent:${body}`);

/**
 * The consent cookie's value: the version, the choice, an optional `new` marker (the banner's
 * confirmation is still to show) and a keyed hash of them, so a value Liaison did not set is
 * recognised.
 */
export function encodeConsent(secret: string, consent: Consent): string {
  const body = `${CONSENT_VERSION}.${consent.analytics}${consent.justChosen ? '.new' : ''}`;
  return `${body}.${mac(secret, body)}`;
}

const CONSENT_VALUE = /^(\d{1,4})\.(yes|no)(\.new)?\.([\w-]{43})$/;

/**
 * The choice a consent cookie records, or null for "no choice yet": no cookie, or a value that is
 * garbled, forged (its hash is not Liaison's) or from an earlier version of the choices.
 */
export function decodeConsent(secret: string, value: string | undefined): Consent | null {
  if (value === undefined) return null;
  const match = CONSENT_VALUE.exec(value);
  if (!match) return null;
  const [, version, analytics, marker, sent] = match;
  if (Number(version) !== CONSENT_VERSION || sent === undefined) return null;
  const body = `${version}.${analytics}${marker ?? ''}`;
  if (!safeEqual(sent, mac(secret, body))) return null;
  return { analytics: analytics === 'yes' ? 'yes' : 'no', justChosen: marker !== undefined };
}

/** Global Privacy Control: a browser sending `Sec-GPC: 1` has said no to analytics for every site. */
export const sendsGlobalPrivacyControl = (header: string | string[] | undefined): boolean =>
  (Array.isArray(header) ? header[0] : header)?.trim() === '1';

/**
 * The analytics cookie holds only the London day it last counted this browser (`YYYY-MM-DD`), and
 * expires at the end of that day: a browser is counted as a visitor once a day, and no identifier
 * is ever made or stored.
 */
export const countedToday = (value: string | undefined, today: string): boolean => value === today;

/** The longest address the banner's form returns to. */
export const MAX_RETURN_LENGTH = 2000;

/**
 * Where the banner's form sends the visitor back to: a path on this site (with its query), else the
 * home page. Never another site (`//host`, `/\host`) or a page outside the public face.
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_RETURN_LENGTH) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  if (textProblem(value) !== null || /[\t\n\r]/.test(value)) return '/';
  const path = value.split(/[?#]/)[0] ?? '/';
  if (isStaffOrPortal(path) || path.startsWith('/api/') || path.startsWith('/assets/')) return '/';
  return value;
}

/** Pages of the staff and portal faces: no banner there, and nothing there is counted. */
export const isStaffOrPortal = (path: string): boolean =>
  path === '/staff' || path.startsWith('/staff/') || path === '/portal' || path.startsWith('/portal/');
