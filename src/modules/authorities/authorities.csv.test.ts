import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { ALL_COLUMN_NAMES, headColumn, parseImportFile } from './authorities.csv.ts';
import { exportRecord, templateRows, type ExportedAuthority } from './authorities.csv-export.ts';
import { checkRow } from './authorities.csv-rows.ts';
import { decodeDirectoryCursor, encodeDirectoryCursor, kindFrom, searchQuery } from './domain.ts';

const HEADER =
  'name,kind,reference,address,region,generic_inbox,chief_executive_title,chief_executive_name,chief_executive_job_title,chief_executive_email,monitoring_officer_title,monitoring_officer_name,monitoring_officer_job_title,monitoring_officer_email';

describe('the directory rules', () => {
  it('turns search text into a prefix query of words only', () => {
    expect(searchQuery('Surr  coun')).toBe('surr:* & coun:*');
    expect(searchQuery("King's Lynn")).toBe('king:* & s:* & lynn:*');
    expect(searchQuery("') | !")).toBeNull();
    expect(searchQuery('1-100000123')).toBe('1100000123:*');
    expect(searchQuery('Flats 1-3, Oak-field')).toBe('flats:* & 13:* & oak:* & field:*');
  });

  it('reads kinds by id or name, and only its own cursors', () => {
    expect(kindFrom('London borough')).toBe('london-borough');
    expect(kindFrom('care-provider')).toBe('care-provider');
    expect(kindFrom('parish')).toBeNull();
    const cursor = { direction: 'previous' as const, name: 'oak', id: '00000000-0000-4000-8000-000000000001' };
    expect(decodeDirectoryCursor(encodeDirectoryCursor(cursor))).toEqual(cursor);
    expect(decodeDirectoryCursor('nonsense')).toBeNull();
  });
});

describe('import files', () => {
  it('accepts UTF-8 with a byte order mark and columns in any order and case', () => {
    const columns = HEADER.split(',').reverse().join(',').toUpperCase();
    const parsed = parseImportFile(new TextEncoder().encode(`\uFEFF${columns}\n,,,,,,,,,,,,,\n`));
    expect('rows' in parsed && parsed.rows[0]?.row).toBe(2);
  });

  it('checks a row: a partial monitoring officer and too many cells are problems', () => {
    const values = Object.fromEntries(HEADER.split(',').map((c) => [c, ''])) as Record<string, string>;
    Object.assign(values, {
      name: 'Oak Care',
      kind: 'Adult social care provider',
      reference: '1-1',
      chief_executive_name: 'A',
      chief_executive_job_title: 'B',
      chief_executive_email: 'a@example.org',
    });
    expect(checkRow(values, 2)).toMatchObject({ row: { kind: 'care-provider', mo_name: null } });
    expect(checkRow({ ...values, monitoring_officer_name: 'M' }, 2)).toEqual({
      errors: [
        { row: 2, column: 'monitoring_officer_job_title', message: 'Enter the monitoring officer’s job title' },
        { row: 2, column: 'monitoring_officer_email', message: 'Enter the monitoring officer’s email address' },
      ],
    });
    expect(checkRow({ ...values, __extra: '15' }, 3)).toEqual({
      errors: [{ row: 3, column: 'row', message: 'The row has more cells than the header row has columns' }],
    });
  });

  it('names the head of service columns after the service area', () => {
    expect(headColumn('housing', 'name')).toBe('head_of_housing_name');
    expect(headColumn('childrens-services', 'job_title')).toBe('head_of_childrens_services_job_title');
    expect(ALL_COLUMN_NAMES.slice(0, 7)).toEqual([
      'name',
      'kind',
      'reference',
      'address',
      'region',
      'status',
      'generic_inbox',
    ]);
    expect(ALL_COLUMN_NAMES).toHaveLength(14 + 1 + 9 * 4);
  });

  it('takes the status and any service area’s head of service columns, all four or none', () => {
    const housing = ['title', 'name', 'job_title', 'email'].map((f) => `head_of_housing_${f}`);
    const withHousing = parseImportFile(
      new TextEncoder().encode(`${HEADER},status,${housing.join(',')}
${','.repeat(18)}
`),
    );
    expect('rows' in withHousing && Object.keys(withHousing.rows[0]?.values ?? {})).toContain('head_of_housing_email');

    const partial = parseImportFile(
      new TextEncoder().encode(`${HEADER},head_of_housing_name
${','.repeat(14)}
`),
    );
    expect(partial).toEqual({
      errors: [
        {
          field: 'file',
          message:
            'The header row of the selected file has some of the head_of_housing_ columns but not head_of_housing_title, head_of_housing_job_title, head_of_housing_email: include all four columns of the head of housing, or none of them',
        },
      ],
    });
    const unknown = parseImportFile(
      new TextEncoder().encode(`${HEADER},head_of_parks_name
${','.repeat(14)}
`),
    );
    expect(unknown).toEqual({
      errors: [{ field: 'file', message: 'The header row of the selected file has unknown column head_of_parks_name' }],
    });
  });

  it('checks a head of service group: filled, empty (removal) or half filled', () => {
    const values = Object.fromEntries(HEADER.split(',').map((c) => [c, ''])) as Record<string, string>;
    Object.assign(values, {
      name: 'Oak Council',
      kind: 'district',
      reference: 'E1',
      chief_executive_name: 'A',
      chief_executive_job_title: 'B',
      chief_executive_email: 'a@example.org',
    });
    const head = (area: string, name: string, jobTitle: string, email: string) => ({
      [`head_of_${area}_title`]: '',
      [`head_of_${area}_name`]: name,
      [`head_of_${area}_job_title`]: jobTitle,
      [`head_of_${area}_email`]: email,
    });
    expect(checkRow(values, 2)).toMatchObject({ row: { heads: null, active: null } });
    expect(
      checkRow(
        {
          ...values,
          status: 'Closed',
          ...head('housing', 'Hal', 'Head of Housing', 'hal@example.org'),
          ...head('planning', '', '', ''),
        },
        2,
      ),
    ).toMatchObject({
      row: {
        active: false,
        heads: {
          housing: { title: null, name: 'Hal', job_title: 'Head of Housing', email: 'hal@example.org' },
          planning: null,
        },
      },
    });
    expect(checkRow({ ...values, status: 'gone', ...head('benefits_tax', 'Bo', '', 'not-an-email') }, 7)).toEqual({
      errors: [
        {
          row: 7,
          column: 'status',
          message: 'Enter open or closed, or leave the status empty to keep the authority as it is',
        },
        {
          row: 7,
          column: 'head_of_benefits_tax_email',
          message:
            'Enter the email address of the head of benefits and tax in the correct format, like name@example.com',
        },
        {
          row: 7,
          column: 'head_of_benefits_tax_job_title',
          message: 'Enter the job title of the head of benefits and tax',
        },
      ],
    });
  });

  it('exports records that import again as they are, starting with the template', () => {
    const [header, example] = templateRows();
    const authority: ExportedAuthority = {
      name: 'Elm Council',
      kind: 'unitary',
      reference: 'E2',
      address: null,
      region: 'London',
      active: false,
      genericInbox: null,
      chiefExecutive: { title: null, name: 'C', jobTitle: 'Chief Executive', email: 'c@example.org' },
      monitoringOfficer: null,
      headsOfService: [
        { serviceArea: 'education', title: 'Dr', name: 'E', jobTitle: 'Director', email: 'e@example.org' },
      ],
    };
    const text = stringify([header ?? [], example ?? [], exportRecord(authority)], { bom: true });
    const parsed = parseImportFile(new TextEncoder().encode(text));
    if (!('rows' in parsed)) throw new Error(JSON.stringify(parsed.errors));
    const [first, second] = parsed.rows.map((r) => checkRow(r.values, r.row));
    expect(first).toMatchObject({
      row: { reference: 'E07000999', active: true, heads: { housing: { name: 'Sam Example' }, education: null } },
    });
    expect(second).toMatchObject({
      row: {
        active: false,
        mo_name: null,
        heads: { education: { title: 'Dr', name: 'E', job_title: 'Director', email: 'e@example.org' }, housing: null },
      },
    });
    const records: string[][] = parse(text, { bom: true });
    expect(records[0]).toEqual(ALL_COLUMN_NAMES);
  });
});
