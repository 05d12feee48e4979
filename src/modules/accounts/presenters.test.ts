import { describe, expect, it } from 'vitest';
import { ROLE_NAMES } from './domain.ts';
import { roleItems, roleOptions, userPageLinks } from './presenters.ts';

describe('roleItems and roleOptions', () => {
  it('name each role, and mark only the selected one', () => {
    expect(roleItems(['investigator', 'administrator'])).toEqual([
      { value: 'investigator', text: ROLE_NAMES.investigator },
      { value: 'administrator', text: ROLE_NAMES.administrator },
    ]);
    expect(roleOptions(['investigator', 'administrator'], 'administrator')).toEqual([
      { value: 'investigator', text: ROLE_NAMES.investigator, selected: false },
      { value: 'administrator', text: ROLE_NAMES.administrator, selected: true },
    ]);
    expect(roleOptions(['investigator'], undefined)[0]?.selected).toBe(false);
  });
});

describe('userPageLinks', () => {
  it('keeps the filter and adds the cursor of each page that exists', () => {
    expect(userPageLinks({ role: 'delegate', q: 'a b' }, { next: 'N1', previous: null })).toEqual({
      nextHref: '/staff/users?role=delegate&q=a+b&after=N1',
      previousHref: null,
    });
    expect(userPageLinks({}, { next: null, previous: 'P1' })).toEqual({
      nextHref: null,
      previousHref: '/staff/users?before=P1',
    });
  });
});
