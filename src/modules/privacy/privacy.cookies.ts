import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { cookieNames, cookieOptions, secureCookies } from '../../http/cookies.ts';
import { endOfLondonDay } from '../audit/domain.ts';
import {
  ANALYTICS_COOKIE,
  CONSENT_COOKIE,
  CONSENT_MAX_AGE_SECONDS,
  decodeConsent,
  encodeConsent,
  sendsGlobalPrivacyControl,
  type AnalyticsChoice,
  type Consent,
} from './consent.ts';

/** What a request says about the visitor's choice. */
export interface PrivacyState {
  /** The choice the consent cookie records; null when there is none (or it is not one Liaison set). */
  consent: Consent | null;
  /** The browser sends Global Privacy Control: treated as a no to analytics, whatever was chosen. */
  gpc: boolean;
  /** Analytics may be counted: the visitor said yes and the browser does not send Global Privacy Control. */
  analytics: boolean;
}

/** One required cookie Liaison sets, as the privacy settings page lists it. */
export interface CookieDescription {
  name: string;
  purpose: string;
  expires: string;
}

/**
 * The consent and analytics cookies: their names (with the `__Host-` prefix wherever cookies are
 * Secure, as every other Liaison cookie), reading and writing them.
 */
export class PrivacyCookies {
  readonly consentName: string;
  readonly analyticsName: string;
  private readonly secure: boolean;

  constructor(private readonly config: Config) {
    this.secure = secureCookies(config);
    const prefix = this.secure ? '__Host-' : '';
    this.consentName = prefix + CONSENT_COOKIE;
    this.analyticsName = prefix + ANALYTICS_COOKIE;
  }

  read(request: FastifyRequest): PrivacyState {
    const consent = decodeConsent(this.config.SESSION_SECRET, request.cookies[this.consentName]);
    const gpc = sendsGlobalPrivacyControl(request.headers['sec-gpc']);
    return { consent, gpc, analytics: consent?.analytics === 'yes' && !gpc };
  }

  /** Saves the choice for a year; `justChosen` from the banner, so the next page confirms it. */
  saveChoice(reply: FastifyReply, analytics: AnalyticsChoice, justChosen: boolean): void {
    const value = encodeConsent(this.config.SESSION_SECRET, { analytics, justChosen });
    reply.setCookie(this.consentName, value, cookieOptions(this.secure, CONSENT_MAX_AGE_SECONDS));
  }

  /** Sets the analytics cookie to today, until the end of today in London. */
  countedToday(reply: FastifyReply, day: string, now: Date): void {
    const seconds = Math.max(60, Math.ceil((endOfLondonDay(day).getTime() - now.getTime()) / 1000));
    reply.setCookie(this.analyticsName, day, cookieOptions(this.secure, seconds));
  }

  hasAnalyticsCookie(request: FastifyRequest): boolean {
    return request.cookies[this.analyticsName] !== undefined;
  }

  analyticsCookieOf(request: FastifyRequest): string | undefined {
    return request.cookies[this.analyticsName];
  }

  deleteAnalytics(reply: FastifyReply): void {
    reply.clearCookie(this.analyticsName, cookieOptions(this.secure));
  }

  /** Every cookie Liaison may set without asking: the strictly necessary ones. */
  required(): CookieDescription[] {
    const names = cookieNames(this.secure);
    // The complaint form's draft cookie has its own path, so it takes `__Secure-` rather than `__Host-`.
    const draft = `${this.secure ? '__Secure-' : ''}liaison_complaint`;
    const idle = this.config.SESSION_IDLE_MINUTES;
    const absolute = this.config.SESSION_ABSOLUTE_HOURS;
    return [
      {
        name: names.session,
        purpose: 'Keeps you signed in',
        expires: `When you sign out or close your browser, after ${idle} minutes without activity, or at most ${absolute} hours after signing in`,
      },
      {
        name: names.csrf,
        purpose: 'Checks that forms you send came from Liaison',
        expires: 'When you close your browser',
      },
      {
        name: names.flash,
        purpose: 'Points to a form’s error messages, kept on our server, for the next page',
        expires: 'After 5 minutes, or when read',
      },
      {
        name: draft,
        purpose: 'Keeps your answers while you fill in the complaint form (sent only to the form’s pages)',
        expires: '24 hours after your last answer',
      },
      {
        name: this.consentName,
        purpose: 'Saves your cookie settings',
        expires: '1 year',
      },
    ];
  }

  /** The optional cookie, set only once you say yes. */
  analytics(): CookieDescription {
    return {
      name: this.analyticsName,
      purpose:
        'Counts you once a day among the visitors to our public pages. It holds only today’s date, never an identifier.',
      expires: 'At the end of the day (midnight UK time)',
    };
  }
}
