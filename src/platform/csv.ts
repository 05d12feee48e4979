import type { Transform } from 'node:stream';
import { stringify, type Input, type Options } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';

/**
 * Every CSV file Liaison writes goes through here, with the same two guarantees:
 * - a byte-order mark, so spreadsheets read the file as UTF-8 (names with accents survive);
 * - a text cell that a spreadsheet would run as a formula (one starting with =, +, -, @, a tab or a
 *   carriage return) is written with a leading apostrophe (csv-stringify's `escape_formulas`), so
 *   a name or an email typed on a public form can never run in the reader's spreadsheet. Numbers
 *   are written as they are, negative ones included.
 */
const HOUSE: Options = { bom: true, escape_formulas: true };

/** Rows (arrays or objects) as the text of a CSV file. */
export function csvText(rows: Input, options: Options = {}): string {
  return stringifySync(rows, { ...HOUSE, ...options });
}

/** A stream that turns the records written to it into a CSV file, for long exports. */
export function csvStream(options: Options = {}): Transform {
  return stringify({ ...HOUSE, ...options });
}

/**
 * A cell as it was before `csvText` guarded it: a file Liaison exported and a user imports again
 * (after editing it) gives back the values it was made from.
 */
export function csvCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
