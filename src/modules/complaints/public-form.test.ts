import { describe, expect, it } from 'vitest';
import { firstMissing, nextStep, stepBySlug, type Answers } from './public-form.ts';
import { parseStep, toNewComplaint } from './public-form-answers.ts';

const TODAY = '2026-06-10';
const yourDetails = stepBySlug('your-details');

const answers: Answers = {
  authorityId: '00000000-0000-4000-8000-000000000001',
  serviceArea: 'housing',
  processFinished: 'yes',
  finalResponseOn: '2026-05-01',
  awareOn: '2026-03-01',
  summary: 'What happened',
  injustice: 'How it affected them',
  outcomeWanted: 'An apology',
  urgent: [],
  consent: 'yes',
  name: 'Sam Carter',
  email: 'sam@example.test',
  phone: '+447911123456',
  communicationNeeds: 'Large print',
};

describe('the public form’s contact details', () => {
  it('keeps a UK phone number in E.164 and refuses one that is not a UK number', () => {
    if (!yourDetails) throw new Error('no your-details step');
    const body = { name: 'Sam Carter', email: 'sam@example.test' };
    expect(parseStep(yourDetails, { ...body, phone: '07911 123456' }, TODAY)).toEqual({
      answers: { ...body, phone: '+447911123456' },
    });
    expect(parseStep(yourDetails, { ...body, phone: '' }, TODAY)).toEqual({ answers: { ...body, phone: '' } });
    for (const phone of ['12345', '+353 1 234 5678', 'call me']) {
      expect(parseStep(yourDetails, { ...body, phone }, TODAY)).toEqual({
        errors: [{ field: 'phone', message: 'Enter a UK phone number, like 020 7946 0958 or 07911 123456' }],
      });
    }
  });
});

describe('complaining for someone else', () => {
  it('asks for their needs after who they are, only when complaining for someone else', () => {
    expect(nextStep('person', { onBehalf: 'yes' })?.slug).toBe('their-needs');
    expect(nextStep('on-behalf', { onBehalf: 'no' })?.slug).toBe('your-details');
    expect(
      firstMissing({
        ...answers,
        onBehalf: 'yes',
        complainantName: 'Alex Carter',
        _seen: { urgent: true, needs: true, attachments: true },
      })?.slug,
    ).toBe('their-needs');
  });

  it('makes the person filling in the form the representative, with their own contact details and needs', () => {
    const complaint = toNewComplaint({
      ...answers,
      onBehalf: 'yes',
      complainantName: 'Alex Carter',
      relationship: 'Son',
      complainantNeeds: 'British Sign Language interpreter',
    });
    expect(complaint.complainant).toEqual({
      name: 'Alex Carter',
      email: null,
      phone: null,
      address: null,
      communicationNeeds: 'British Sign Language interpreter',
      relationship: null,
    });
    expect(complaint.representative).toEqual({
      name: 'Sam Carter',
      email: 'sam@example.test',
      phone: '+447911123456',
      address: null,
      communicationNeeds: 'Large print',
      relationship: 'Son',
    });
  });

  it('has no representative when complaining for oneself', () => {
    const complaint = toNewComplaint({ ...answers, onBehalf: 'no' });
    expect(complaint.representative).toBeNull();
    expect(complaint.complainant).toMatchObject({ name: 'Sam Carter', communicationNeeds: 'Large print' });
  });
});
