import { describe, expect, it } from 'vitest';
import type { PartyRow } from './complaints.repository.ts';
import { NOT_ALLOCATED } from './complaints.schemas.ts';
import {
  answerValues,
  assessmentOutcomeItems,
  caseRow,
  checkAnswersRows,
  displayAnswer,
  investigatorChoiceItems,
  investigatorFilterItems,
  listQueryString,
  partyDisplay,
  serviceAreaItems,
  statusItems,
  urgentOptions,
} from './presenters.ts';

const investigators = [
  { id: 'a1', display_name: 'Ada' },
  { id: 'b2', display_name: 'Ben' },
];

describe('case lists', () => {
  it('name each row’s status, service and outcome beside its own fields', () => {
    const row = caseRow({ id: 'c1', status: 'received' as const, serviceArea: 'not-a-service', outcome: null });
    expect(row).toMatchObject({ id: 'c1', serviceAreaName: 'not-a-service', outcomeName: null });
    expect(row.statusName).toEqual(expect.any(String));
  });

  it('keep their filters in the address of the next page, blank ones left out', () => {
    expect(listQueryString({ limit: 50, status: 'received', reference: '', urgent: 'yes' }, { cursor: 'abc' })).toBe(
      '?status=received&urgent=yes&cursor=abc',
    );
    expect(listQueryString({ limit: 50 })).toBe('');
  });

  it('offer any status, then each, the chosen one selected', () => {
    const items = statusItems('received');
    expect(items[0]).toEqual({ value: '', text: 'Any status' });
    expect(items.filter((i) => 'selected' in i && i.selected).map((i) => i.value)).toEqual(['received']);
  });

  it('offer a first choice of service, then each, the chosen one selected', () => {
    const items = serviceAreaItems('Any service', undefined);
    expect(items[0]).toEqual({ value: '', text: 'Any service' });
    expect(items.length).toBeGreaterThan(1);
    expect(items.some((i) => 'selected' in i && i.selected)).toBe(false);
    const chosen = items[1]?.value;
    expect(serviceAreaItems('Select a service', chosen).filter((i) => 'selected' in i && i.selected)).toHaveLength(1);
  });

  it('filter by anyone, by cases waiting for an investigator, or by one of them', () => {
    expect(investigatorFilterItems(investigators, NOT_ALLOCATED)).toEqual([
      { value: '', text: 'Anyone' },
      { value: NOT_ALLOCATED, text: 'Not allocated (under investigation)', selected: true },
      { value: 'a1', text: 'Ada', selected: false },
      { value: 'b2', text: 'Ben', selected: false },
    ]);
  });
});

describe('the staff case page', () => {
  it('asks for an investigator, the chosen one selected', () => {
    expect(investigatorChoiceItems(investigators, 'b2')).toEqual([
      { value: '', text: 'Select an investigator' },
      { value: 'a1', text: 'Ada', selected: false },
      { value: 'b2', text: 'Ben', selected: true },
    ]);
  });

  it('ticks the assessment outcome the form had', () => {
    const items = assessmentOutcomeItems('investigate');
    expect(items.filter((i) => i.checked).map((i) => i.value)).toEqual(['investigate']);
    expect(assessmentOutcomeItems(undefined).some((i) => i.checked)).toBe(false);
  });

  it('shows a party’s UK phone number as written in the UK, and a representative’s relationship', () => {
    const party = {
      role: 'representative',
      name: 'Sam',
      email: null,
      phone: '+442079460958',
      address: null,
      communication_needs: null,
      relationship: null,
      consent_to_share: true,
    } as unknown as PartyRow;
    expect(partyDisplay(party, 'Representative')).toMatchObject({
      heading: 'Representative',
      id: 'representative',
      phone: '020 7946 0958',
      relationship: 'Not given',
    });
    expect(partyDisplay({ ...party, role: 'complainant', phone: '0123' }, 'Complainant')).toMatchObject({
      phone: '0123',
      relationship: null,
    });
  });
});

describe('the staff form', () => {
  it('ticks the urgency checkboxes the form had, one or several', () => {
    expect(
      urgentOptions('serious-risk')
        .filter((o) => o.checked)
        .map((o) => o.value),
    ).toEqual(['serious-risk']);
    expect(urgentOptions(['serious-risk', 'domestic-abuse']).filter((o) => o.checked)).toHaveLength(2);
    expect(urgentOptions(undefined).some((o) => o.checked)).toBe(false);
    expect(urgentOptions(undefined).map((o) => o.text)).toContain('Serious risk of harm');
  });
});

describe('the public form', () => {
  it('splits dates into their three fields and shows a UK phone number as written', () => {
    expect(answerValues({ awareOn: '2026-03-07', phone: '+447911123456' })).toMatchObject({
      'awareOn-year': '2026',
      'awareOn-month': '3',
      'awareOn-day': '7',
      phone: '07911 123456',
    });
  });

  it('shows each answer as text', () => {
    const answers = { urgent: ['serious-risk', 'unknown'], communicationNeeds: '', documents: [{ filename: 'a.pdf' }] };
    expect(displayAnswer('urgent', answers, null)).toBe('Serious risk of harm, unknown');
    expect(displayAnswer('urgent', {}, null)).toBe('None of these');
    expect(displayAnswer('needs', answers, null)).toBe('None');
    expect(displayAnswer('attachments', answers, null)).toBe('a.pdf');
    expect(displayAnswer('authority', answers, null)).toBe('Not found: choose again');
    expect(displayAnswer('authority', answers, 'Barsetshire Council')).toBe('Barsetshire Council');
    expect(displayAnswer('person', { complainantName: 'Pat', relationship: 'Son' }, null)).toBe('Pat, Son');
  });

  it('checks the answers with a link to change each', () => {
    const rows = checkAnswersRows({}, 'Barsetshire Council');
    const authority = rows.find((r) => r.actions.items[0]?.href === '/complain/authority?change=1');
    expect(authority).toMatchObject({ key: { text: 'Complaint about' }, value: { text: 'Barsetshire Council' } });
    expect(authority?.actions.items[0]?.visuallyHiddenText).toBe('complaint about');
  });
});
