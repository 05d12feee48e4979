import { describe, expect, it } from 'vitest';
import { officerFormValues } from './presenters.ts';

const officer = {
  title: 'Dr',
  forename: 'Ada',
  surname: 'Lovelace',
  jobTitle: 'Head of complaints',
  email: 'ada@example.gov.uk',
  correspondenceEmail: null,
  phoneDisplay: '020 7946 0000',
};

describe('officerFormValues', () => {
  it('fills the edit form with the officer’s details as held, the phone as shown and no correspondence email as empty', () => {
    expect(officerFormValues('edit', officer, {})).toEqual({
      title: 'Dr',
      forename: 'Ada',
      surname: 'Lovelace',
      jobTitle: 'Head of complaints',
      email: 'ada@example.gov.uk',
      correspondenceEmail: '',
      phone: '020 7946 0000',
    });
  });

  it('shows what was typed when the form came back with errors', () => {
    const typed = { forename: 'Ad', surname: '' };
    expect(officerFormValues('edit', officer, typed)).toBe(typed);
  });

  it('starts the replace form empty: the new officer is someone else', () => {
    expect(officerFormValues('replace', officer, {})).toEqual({});
  });
});
