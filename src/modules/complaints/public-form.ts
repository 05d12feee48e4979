/**
 * The public complaint form: one question per page, in order, each with whether it applies given
 * the answers so far, and the way through them. Checking a page's answers is in
 * `public-form-answers.ts`. Pure: no I/O.
 */
import { SERVICE_AREAS, SERVICE_AREA_NAMES } from '../authorities/domain.ts';
import { URGENT_KEYS, URGENT_NAMES } from './rules.ts';

export type Answers = Record<string, unknown>;

export type StepKind = 'authority' | 'radios' | 'date' | 'textarea' | 'checkboxes' | 'fields' | 'attachments';

export interface Option {
  value: string;
  text: string;
  hint?: string;
}

export interface Step {
  slug: string;
  /** The question, which is also the page's heading. */
  question: string;
  hint?: string;
  kind: StepKind;
  /** For radios and checkboxes. */
  options?: Option[];
  /** For 'fields': the inputs of the page. */
  inputs?: {
    name: string;
    label: string;
    hint?: string;
    type?: string;
    autocomplete?: string;
    optional?: boolean;
    classes?: string;
  }[];
  /** The answer key (radios, date, textarea, checkboxes). */
  name?: string;
  optional?: boolean;
  applies(answers: Answers): boolean;
  /** The short label on the check-your-answers page. */
  label: string;
}

const always = () => true;
/** A text answer, or '' when there is none. */
export const str = (a: Answers, k: string): string => {
  const v = a[k];
  return typeof v === 'string' ? v : '';
};

export const STEPS: Step[] = [
  {
    slug: 'authority',
    question: 'Which council or care provider is your complaint about?',
    hint: 'Search by name, then choose from the results',
    kind: 'authority',
    name: 'authorityId',
    label: 'Complaint about',
    applies: always,
  },
  {
    slug: 'service',
    question: 'Which service is your complaint about?',
    kind: 'radios',
    name: 'serviceArea',
    options: SERVICE_AREAS.map((a) => ({ value: a, text: SERVICE_AREA_NAMES[a] })),
    label: 'Service',
    applies: always,
  },
  {
    slug: 'process-finished',
    question: 'Has the council or care provider finished dealing with your complaint?',
    hint: 'Most councils have a complaints process with one or two stages. Answer yes if you have had their final response.',
    kind: 'radios',
    name: 'processFinished',
    options: [
      { value: 'yes', text: 'Yes, I have had their final response' },
      { value: 'no', text: 'No, not yet' },
    ],
    label: 'Their complaints process finished',
    applies: always,
  },
  {
    slug: 'final-response-date',
    question: 'When did they send their final response?',
    hint: 'For example, 27 3 2026',
    kind: 'date',
    name: 'finalResponseOn',
    label: 'Date of their final response',
    applies: (a) => str(a, 'processFinished') === 'yes',
  },
  {
    slug: 'complained-date',
    question: 'When did you complain to them?',
    hint: 'If you do not know the exact date, give an approximate one. For example, 27 3 2026',
    kind: 'date',
    name: 'complainedOn',
    label: 'Date you complained to them',
    applies: (a) => str(a, 'processFinished') === 'no',
  },
  {
    slug: 'aware-date',
    question: 'When did you first know about the problem?',
    hint: 'An approximate date is fine. For example, 27 3 2026',
    kind: 'date',
    name: 'awareOn',
    label: 'When you first knew about the problem',
    applies: always,
  },
  {
    slug: 'what-happened',
    question: 'What happened?',
    hint: 'Tell us what the council or care provider did, or did not do.',
    kind: 'textarea',
    name: 'summary',
    label: 'What happened',
    applies: always,
  },
  {
    slug: 'injustice',
    question: 'How has this affected you?',
    hint: 'Tell us about any harm, distress, cost or lost opportunity it caused.',
    kind: 'textarea',
    name: 'injustice',
    label: 'How it affected you',
    applies: always,
  },
  {
    slug: 'outcome',
    question: 'What would you like to happen?',
    hint: 'For example, an apology, a decision made again, or a payment.',
    kind: 'textarea',
    name: 'outcomeWanted',
    label: 'What you would like to happen',
    applies: always,
  },
  {
    slug: 'urgent',
    question: 'Do any of these apply to you now?',
    hint: 'We deal with these complaints first. Select all that apply.',
    kind: 'checkboxes',
    name: 'urgent',
    optional: true,
    options: Object.entries(URGENT_KEYS).map(([value, flag]) => ({ value, text: URGENT_NAMES[flag] })),
    label: 'Urgent circumstances',
    applies: always,
  },
  {
    slug: 'on-behalf',
    question: 'Are you complaining for someone else?',
    kind: 'radios',
    name: 'onBehalf',
    options: [
      { value: 'no', text: 'No, for myself' },
      { value: 'yes', text: 'Yes, for someone else' },
    ],
    label: 'Complaining for someone else',
    applies: always,
  },
  {
    slug: 'person',
    question: 'Who are you complaining for?',
    kind: 'fields',
    inputs: [
      { name: 'complainantName', label: 'Their full name', autocomplete: 'off' },
      {
        name: 'relationship',
        label: 'Your relationship to them',
        optional: true,
        hint: 'For example, daughter, advocate, solicitor',
      },
    ],
    label: 'Person you are complaining for',
    applies: (a) => str(a, 'onBehalf') === 'yes',
  },
  {
    slug: 'their-needs',
    question: 'Does the person you are complaining for need us to communicate with them in a particular way?',
    hint: 'For example, large print, easy read, a British Sign Language interpreter, or another language. Leave this blank if not.',
    kind: 'textarea',
    name: 'complainantNeeds',
    optional: true,
    label: 'Their communication needs',
    applies: (a) => str(a, 'onBehalf') === 'yes',
  },
  {
    slug: 'your-details',
    question: 'Your contact details',
    kind: 'fields',
    inputs: [
      { name: 'name', label: 'Full name', autocomplete: 'name' },
      { name: 'email', label: 'Email address', type: 'email', autocomplete: 'email' },
      {
        name: 'phone',
        label: 'Phone number',
        type: 'tel',
        autocomplete: 'tel',
        optional: true,
        classes: 'govuk-input--width-20',
      },
    ],
    label: 'Your contact details',
    applies: always,
  },
  {
    slug: 'needs',
    question: 'Do you need us to communicate with you in a particular way?',
    hint: 'For example, large print, easy read, a British Sign Language interpreter, or another language. Leave this blank if not.',
    kind: 'textarea',
    name: 'communicationNeeds',
    optional: true,
    label: 'Your communication needs',
    applies: always,
  },
  {
    slug: 'consent',
    question: 'Can we share your details with the council or care provider?',
    hint: 'To look into your complaint we usually need to tell them who you are. If you say no, we may not be able to look into it.',
    kind: 'radios',
    name: 'consent',
    options: [
      { value: 'yes', text: 'Yes, you can share my details' },
      { value: 'no', text: 'No' },
    ],
    label: 'Share your details with them',
    applies: always,
  },
  {
    slug: 'attachments',
    question: 'Upload documents (optional)',
    hint: 'For example, letters or emails from the council. You can add up to 5 files.',
    kind: 'attachments',
    optional: true,
    label: 'Documents',
    applies: always,
  },
];

export const stepBySlug = (slug: string): Step | undefined => STEPS.find((s) => s.slug === slug);

/** Whether a step has an answer. */
export function answered(step: Step, a: Answers): boolean {
  if (step.optional) return step.slug in ((a._seen as Record<string, boolean> | undefined) ?? {});
  if (step.kind === 'fields') return (step.inputs ?? []).every((i) => i.optional || str(a, i.name) !== '');
  return step.name !== undefined && str(a, step.name) !== '';
}

/** The first step that applies and is not answered yet, or null when every one is. */
export function firstMissing(a: Answers): Step | null {
  return STEPS.find((s) => s.applies(a) && !answered(s, a)) ?? null;
}

/** The step after `slug` that applies, or null at the end. */
export function nextStep(slug: string, a: Answers): Step | null {
  const i = STEPS.findIndex((s) => s.slug === slug);
  return STEPS.slice(i + 1).find((s) => s.applies(a)) ?? null;
}

export function previousStep(slug: string, a: Answers): Step | null {
  const i = STEPS.findIndex((s) => s.slug === slug);
  return [...STEPS.slice(0, Math.max(0, i))].reverse().find((s) => s.applies(a)) ?? null;
}

/** Marks an optional step as visited (so the form moves past it). */
export function markSeen(a: Answers, slug: string): Answers {
  const seen = { ...((a._seen as Record<string, boolean> | undefined) ?? {}), [slug]: true };
  return { _seen: seen };
}
