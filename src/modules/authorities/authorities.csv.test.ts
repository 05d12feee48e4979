import { describe, expect, it } from 'vitest';
import { checkRow, parseImportFile } from './authorities.csv.ts';
import { decodeDirectoryCursor, encodeDirectoryCursor, kindFrom, searchQuery } from './domain.ts';

const HEADER =
  'name,kind,reference,address,region,generic_inbox,chief_executive_title,chief_executive_name,chief_executive_job_title,chief_executive_email,monitoring_officer_title,monitoring_officer_name,monitoring_officer_job_title,monitoring_officer_email';

describe('the directory rules', () => {
  it('turns search text into a prefix query of words only', () => {
    expect(searchQuery('Surr  coun')).toBe('surr:* & coun:*');
    expect(searchQuery("King's Lynn")).toBe('king:* & s:* & lynn:*');
    expect(searchQuery("') | !")).toBeNull();
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
});
