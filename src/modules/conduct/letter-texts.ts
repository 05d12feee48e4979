/** The letters that tell a person of a warning or restriction, and of what a review decided. Pure text, no I/O. */
import { format, parseISO } from 'date-fns';
import type { IsoDate } from '../../platform/calendar/calendar.ts';
import type { Kind, ReviewOutcome } from './domain.ts';

const longDate = (date: IsoDate) => format(parseISO(date), 'd MMMM yyyy');

const RECONSIDER =
  'If you think this decision is wrong, you may ask us to reconsider it. Write to us within one month of the date of this letter saying why, ' +
  'and a manager who was not involved in the decision will look at it again.';
const policyParagraph = (url: string | null): string[] =>
  url ? [`Our policy on unreasonable complainant behaviour explains how we make these decisions: ${url}`] : [];

const COMPLAIN =
  'You also have the right to complain about this decision through our complaints procedure. It does not affect how we handle your complaints: ' +
  'we will continue to consider them.';

/** The decision letter for a new warning or restriction. */
export function decisionLetter(input: {
  /** The published policy's address, when there is one. */
  policyUrl?: string | null;
  name: string;
  kind: Kind;
  reason: string;
  terms: readonly string[];
  startsOn: IsoDate;
  reviewOn: IsoDate;
}): { subject: string; text: string } {
  const { name, kind, reason, terms, startsOn, reviewOn } = input;
  if (kind === 'warning') {
    return {
      subject: 'A warning about your contact with us',
      text: [
        `Dear ${name},`,
        'We are writing to warn you about the way you have been contacting us.',
        `What has happened:\n${reason}`,
        'This behaviour makes it harder for us to consider your complaints and those of others. If it continues, we may decide to restrict how you can contact us.',
        `We will review this warning by ${longDate(reviewOn)}.`,
        ...policyParagraph(input.policyUrl ?? null),
        RECONSIDER,
        COMPLAIN,
        'Yours sincerely,\nCasework manager',
      ].join('\n\n'),
    };
  }
  return {
    subject: 'Our decision to restrict your contact with us',
    text: [
      `Dear ${name},`,
      'We have decided to restrict how you can contact us.',
      `Why we have decided this:\n${reason}`,
      `What this means, from ${longDate(startsOn)}:\n${terms.map((t) => `- ${t}`).join('\n')}`,
      'Anything you send us in another way will still be kept on your file and read, but we may not reply to it.',
      `How long it lasts: until we review it, by ${longDate(reviewOn)}. We will write to you again then.`,
      ...policyParagraph(input.policyUrl ?? null),
      RECONSIDER,
      COMPLAIN,
      'Yours sincerely,\nCasework manager',
    ].join('\n\n'),
  };
}

/** The letter telling the person what a review decided. */
export function reviewLetter(input: {
  policyUrl?: string | null;
  name: string;
  kind: Kind;
  outcome: ReviewOutcome;
  reason: string;
  terms: readonly string[];
  reviewOn: IsoDate | null;
}): { subject: string; text: string } {
  const what = input.kind === 'warning' ? 'warning' : 'restriction on your contact with us';
  const body: string[] = [`Dear ${input.name},`, `We have reviewed the ${what}.`];
  if (input.outcome === 'lift') {
    body.push(`We have decided to lift it, with effect from today.\n\n${input.reason}`);
    if (input.kind === 'restriction') body.push('You may contact us in any of the usual ways again.');
  } else {
    body.push(
      `${input.outcome === 'extend' ? 'We have decided to keep it in place' : 'We have decided to change its terms'}, because:\n${input.reason}`,
    );
    if (input.kind === 'restriction') body.push(`What this means now:\n${input.terms.map((t) => `- ${t}`).join('\n')}`);
    if (input.reviewOn) body.push(`We will review it again by ${longDate(input.reviewOn)}.`);
    body.push(...policyParagraph(input.policyUrl ?? null), RECONSIDER, COMPLAIN);
  }
  body.push('Yours sincerely,\nCasework manager');
  return { subject: `The review of the ${what}`, text: body.join('\n\n') };
}
