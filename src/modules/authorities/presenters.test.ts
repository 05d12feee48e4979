import { describe, expect, it } from 'vitest';
import type { DirectoryQuery } from './authorities.schemas.ts';
import {
  filterQueryString,
  kindItems,
  missingAreas,
  regionItems,
  selectedFilters,
  serviceAreaItems,
  shownValues,
  spreadsheetSafe,
} from './presenters.ts';
import { KIND_NAMES, SERVICE_AREAS } from './domain.ts';

const query = (q: Partial<DirectoryQuery>): DirectoryQuery => ({ q: '', ...q });

describe('the directory filters', () => {
  it('carry the filters applied, and extra parameters, in the query string', () => {
    expect(filterQueryString(query({}))).toBe('');
    expect(filterQueryString(query({ q: 'bury', region: 'London' }), { cursor: 'C' })).toBe(
      '?q=bury&region=London&cursor=C',
    );
  });

  it('show one removable tag for each filter applied, and none when there is none', () => {
    expect(selectedFilters(query({}))).toBeNull();
    const panel = selectedFilters(query({ q: 'bury', kind: 'county', status: 'closed' }));
    expect(panel?.categories).toEqual([
      {
        heading: { text: 'Name or reference' },
        items: [{ href: '/staff/authorities?kind=county&status=closed', text: 'bury' }],
      },
      {
        heading: { text: 'Kind' },
        items: [{ href: '/staff/authorities?q=bury&status=closed', text: KIND_NAMES.county }],
      },
      { heading: { text: 'Status' }, items: [{ href: '/staff/authorities?q=bury&kind=county', text: 'Closed' }] },
    ]);
  });
});

describe('select options', () => {
  it('select the blank option until a value is chosen, and only the chosen one after', () => {
    expect(kindItems(undefined, 'Any kind')[0]).toEqual({ value: '', text: 'Any kind', selected: true });
    const items = kindItems('county', 'Any kind');
    expect(items.filter((i) => i.selected).map((i) => i.value)).toEqual(['county']);
    expect(
      regionItems('London', 'Any region')
        .filter((i) => i.selected)
        .map((i) => i.value),
    ).toEqual(['London']);
    expect(serviceAreaItems(undefined)).toHaveLength(SERVICE_AREAS.length + 1);
  });

  it('take a kept form value that is not text as nothing chosen', () => {
    expect(kindItems(['county'], 'Select a kind')[0]?.selected).toBe(true);
  });
});

describe('form values', () => {
  it('are what was typed when the form came back, else the record as stored', () => {
    expect(shownValues({ name: 'Typed' }, () => ({ name: 'Stored' }))).toEqual({ name: 'Typed' });
    expect(shownValues({}, () => ({ name: 'Stored' }))).toEqual({ name: 'Stored' });
    expect(shownValues(undefined, () => ({ name: 'Stored' }))).toEqual({ name: 'Stored' });
  });

  it('list the service areas without a head of service', () => {
    expect(missingAreas({ headsOfService: [] })).toEqual([...SERVICE_AREAS]);
  });
});

describe('spreadsheetSafe', () => {
  it('makes a cell a spreadsheet would read as a formula inert', () => {
    expect(spreadsheetSafe('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(spreadsheetSafe('-1')).toBe("'-1");
    expect(spreadsheetSafe('Bury')).toBe('Bury');
  });
});
