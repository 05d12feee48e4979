import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvText } from './csv.ts';

describe('csvText', () => {
  it('writes a cell a spreadsheet would run as a formula as plain text, and reads it back as it was', () => {
    const typed = ['=HYPERLINK("http://evil.example","Click")', '+44 20 7946 0000', '-2+3', '@SUM(A1)', 'Ann Smith'];
    const text = csvText([typed]);
    const rows: string[][] = parse(text, { bom: true });
    const [row] = rows;
    expect(row).toEqual([
      `'=HYPERLINK("http://evil.example","Click")`,
      "'+44 20 7946 0000",
      "'-2+3",
      "'@SUM(A1)",
      'Ann Smith',
    ]);
    expect(row?.map(csvCell)).toEqual(typed);
  });

  it('leaves numbers alone, negative ones included, and starts with a byte-order mark', () => {
    const text = csvText([[-3, 0.25, 'Camden']], { header: true, columns: ['change', 'rate', 'name'] });
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.slice(1)).toBe('change,rate,name\n-3,0.25,Camden\n');
  });
});
