/**
 * The public complaint form's answers: one page's answers checked, and the complaint they describe.
 * Pure: no I/O.
 */
import { z } from 'zod';
import type { FieldError } from '../../platform/errors.ts';
import { dateFromParts } from '../../platform/input.ts';
import { parseUkPhone } from '../link-officers/domain.ts';
import type { NewComplaint } from './complaints.schemas.ts';
import { str, type Answers, type Step } from './public-form.ts';

/** A date from GOV.UK's three fields, checked: a real date, today or earlier. */
export function parseDateFields(
  body: Record<string, unknown>,
  name: string,
  today: string,
): { value: string } | { error: FieldError } {
  const part = (p: string) => {
    const v = body[`${name}-${p}`];
    return typeof v === 'string' ? v.trim() : '';
  };
  const [d, m, y] = [part('day'), part('month'), part('year')];
  const field = `${name}-day`;
  if (!d && !m && !y) return { error: { field, message: 'Enter the date' } };
  if (!d || !m || !y) return { error: { field, message: 'The date must include a day, month and year' } };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y))
    return { error: { field, message: 'The date must be a real date, like 27 3 2026' } };
  if (Number(y) < 1900) return { error: { field, message: 'The date must be after 1900' } };
  const iso = dateFromParts(d, m, y);
  if (iso === null) return { error: { field, message: 'The date must be a real date, like 27 3 2026' } };
  if (iso > today) return { error: { field, message: 'The date must be today or in the past' } };
  return { value: iso };
}

const emailSchema = z.email();

/**
 * Checks one page's answers; returns the answers to save or the errors to show. `today` is the
 * London date, for date questions.
 */
export function parseStep(
  step: Step,
  body: Record<string, unknown>,
  today: string,
): { answers: Answers } | { errors: FieldError[] } {
  const text = (k: string) => {
    const v = body[k];
    return typeof v === 'string' ? v.trim() : '';
  };
  switch (step.kind) {
    case 'authority': {
      const id = text('authorityId');
      if (!/^[0-9a-f-]{36}$/i.test(id))
        return {
          errors: [{ field: 'authorityId', message: 'Select the council or care provider your complaint is about' }],
        };
      return { answers: { authorityId: id } };
    }
    case 'radios': {
      const v = text(step.name ?? '');
      if (!(step.options ?? []).some((o) => o.value === v))
        return { errors: [{ field: step.name ?? '', message: radioMessage(step) }] };
      return { answers: { [step.name ?? '']: v } };
    }
    case 'date': {
      const r = parseDateFields(body, step.name ?? '', today);
      return 'error' in r ? { errors: [r.error] } : { answers: { [step.name ?? '']: r.value } };
    }
    case 'textarea': {
      const v = text(step.name ?? '');
      if (!v && !step.optional) return { errors: [{ field: step.name ?? '', message: textMessage(step) }] };
      if (v.length > 10_000)
        return { errors: [{ field: step.name ?? '', message: 'Your answer must be 10,000 characters or fewer' }] };
      return { answers: { [step.name ?? '']: v } };
    }
    case 'checkboxes': {
      const raw = body[step.name ?? ''];
      const list = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).map(String);
      const valid = list.filter((v) => (step.options ?? []).some((o) => o.value === v));
      return { answers: { [step.name ?? '']: valid } };
    }
    case 'fields': {
      const errors: FieldError[] = [];
      const out: Answers = {};
      for (const input of step.inputs ?? []) {
        const v = text(input.name);
        if (!v && !input.optional) errors.push({ field: input.name, message: `Enter ${input.label.toLowerCase()}` });
        else if (v.length > 320)
          errors.push({ field: input.name, message: `${input.label} must be 320 characters or fewer` });
        else if (input.type === 'email' && v && !emailSchema.safeParse(v).success)
          errors.push({
            field: input.name,
            message: 'Enter an email address in the correct format, like name@example.com',
          });
        else if (input.type === 'tel' && v) {
          // A UK number, kept in E.164 as every phone number in the service is.
          const phone = parseUkPhone(v);
          if (phone.ok) out[input.name] = phone.e164;
          else
            errors.push({
              field: input.name,
              message: 'Enter a UK phone number, like 020 7946 0958 or 07911 123456',
            });
          continue;
        }
        out[input.name] = v;
      }
      return errors.length > 0 ? { errors } : { answers: { ...out } };
    }
    case 'attachments':
      return { answers: {} };
  }
}

function radioMessage(step: Step): string {
  switch (step.name) {
    case 'serviceArea':
      return 'Select the service your complaint is about';
    case 'processFinished':
      return 'Select yes if they have finished dealing with your complaint';
    case 'onBehalf':
      return 'Select whether you are complaining for someone else';
    case 'consent':
      return 'Select whether we can share your details with the council or care provider';
    case undefined:
    default:
      return 'Select an answer';
  }
}

function textMessage(step: Step): string {
  switch (step.name) {
    case 'summary':
      return 'Enter what happened';
    case 'injustice':
      return 'Enter how this has affected you';
    case 'outcomeWanted':
      return 'Enter what you would like to happen';
    case undefined:
    default:
      return 'Enter your answer';
  }
}

/** The complaint the answers describe, once every step that applies is answered. */
export function toNewComplaint(a: Answers): Omit<NewComplaint, 'documentIds'> {
  const onBehalf = str(a, 'onBehalf') === 'yes';
  const you = {
    name: str(a, 'name'),
    email: str(a, 'email') || null,
    phone: str(a, 'phone') || null,
    address: null,
    communicationNeeds: str(a, 'communicationNeeds') || null,
    relationship: null,
  };
  const finished = str(a, 'processFinished') === 'yes';
  return {
    authorityId: str(a, 'authorityId'),
    serviceArea: str(a, 'serviceArea') as NewComplaint['serviceArea'],
    summary: str(a, 'summary'),
    injustice: str(a, 'injustice') || null,
    outcomeWanted: str(a, 'outcomeWanted') || null,
    authorityProcessFinished: finished,
    authorityFinalResponseOn: finished ? str(a, 'finalResponseOn') || null : null,
    authorityComplainedOn: finished ? null : str(a, 'complainedOn') || null,
    awareOn: str(a, 'awareOn') || null,
    urgent: Array.isArray(a.urgent) ? (a.urgent as string[]) : [],
    consentToShare: str(a, 'consent') === 'yes',
    // Complaining for someone else: the person filling in the form is the representative, with their
    // own contact details and needs; of the complainant we ask only their name and their needs.
    complainant: onBehalf
      ? {
          name: str(a, 'complainantName'),
          email: null,
          phone: null,
          address: null,
          communicationNeeds: str(a, 'complainantNeeds') || null,
          relationship: null,
        }
      : you,
    representative: onBehalf ? { ...you, relationship: str(a, 'relationship') || null } : null,
    channel: 'online',
  };
}
