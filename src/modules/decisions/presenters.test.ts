import { describe, expect, it } from 'vitest';
import {
  checkedOutcomeItems,
  draftFormValues,
  evidenceItems,
  findingsCsv,
  outcomeItems,
  remedyTypeItems,
  serviceAreaName,
} from './presenters.ts';

const latest = {
  sections: [
    { key: 'complaint', text: 'What was complained of' },
    { key: 'findings', text: 'What I found' },
  ],
  remedies: [
    { type: 'financial' as const, description: 'Pay £250', amountPence: 25_050, dueInWorkingDays: 20 },
    { type: 'apology' as const, description: 'Apologise', amountPence: null, dueInWorkingDays: null },
  ],
  evidence: [{ id: 'doc-2' }],
};

describe('the draft form', () => {
  it('starts from the latest draft: its sections, and each remedy in its row with the amount in pounds', () => {
    expect(draftFormValues(latest)).toEqual({
      complaint: 'What was complained of',
      findings: 'What I found',
      'remedy-1-type': 'financial',
      'remedy-1-description': 'Pay £250',
      'remedy-1-amount': '250.50',
      'remedy-1-days': 20,
      'remedy-2-type': 'apology',
      'remedy-2-description': 'Apologise',
      'remedy-2-amount': '',
      'remedy-2-days': '',
    });
  });

  it('is blank without a draft', () => {
    expect(draftFormValues(undefined)).toEqual({});
  });

  it('ticks the evidence the form had, or else the evidence the latest draft chose', () => {
    const documents = [
      { id: 'doc-1', filename: 'letter.pdf' },
      { id: 'doc-2', filename: 'notes.pdf' },
    ];
    expect(evidenceItems(documents, {}, latest)).toEqual([
      { value: 'doc-1', text: 'letter.pdf', checked: false },
      { value: 'doc-2', text: 'notes.pdf', checked: true },
    ]);
    expect(evidenceItems(documents, { evidence: 'doc-1' }, latest).map((i) => i.checked)).toEqual([true, false]);
    expect(evidenceItems(documents, { evidence: ['doc-1', 'doc-2'] }, undefined).map((i) => i.checked)).toEqual([
      true,
      true,
    ]);
    expect(evidenceItems(documents, {}, undefined).map((i) => i.checked)).toEqual([false, false]);
  });

  it('offers no remedy first, then each type by name', () => {
    const items = remedyTypeItems();
    expect(items[0]).toEqual({ value: '', text: 'No remedy' });
    expect(items.map((i) => i.value)).toContain('financial');
    expect(items.every((i) => i.text !== '')).toBe(true);
  });
});

describe('the final decision’s outcomes', () => {
  it('are radios, the one the form had ticked', () => {
    const first = outcomeItems[0];
    expect(first).toBeDefined();
    const items = checkedOutcomeItems(first?.value);
    expect(items.filter((i) => i.checked).map((i) => i.value)).toEqual([first?.value]);
    expect(checkedOutcomeItems(undefined).every((i) => !i.checked)).toBe(true);
    expect(outcomeItems.every((i) => !('checked' in i))).toBe(true);
  });
});

describe('findings', () => {
  it('name the service, or show its id when it is not one Liaison knows', () => {
    expect(serviceAreaName('not-a-service')).toBe('not-a-service');
  });

  it('are a CSV file with a header row, remedies joined in one cell', () => {
    const csv = findingsCsv([
      {
        reference: '26 001 234',
        serviceArea: 'not-a-service',
        decidedOn: '2026-03-01',
        outcomeName: 'Fault, injustice',
        formName: 'Final decision',
        remedies: ['Apologise', 'Pay £250'],
        statement: 'The council delayed, "badly".',
      },
    ]);
    expect(csv).toBe(
      '\uFEFFReference,Service,Decided on,Finding,Decision or report,Remedies,Statement\n' +
        '26 001 234,not-a-service,2026-03-01,"Fault, injustice",Final decision,Apologise; Pay £250,"The council delayed, ""badly""."\n',
    );
  });
});
