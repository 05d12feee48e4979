import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeWhole } from './write-whole.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-write-whole-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('writing a file whole', () => {
  it('makes its folder, leaves no temporary file, and makes the folder again if it has gone since', async () => {
    const file = path.join(root, 'a', 'b', 'one.bin');
    await writeWhole(file, Buffer.from('first'));
    expect(fs.readFileSync(file, 'utf8')).toBe('first');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['one.bin']);

    fs.rmSync(path.join(root, 'a'), { recursive: true });
    const again = path.join(root, 'a', 'b', 'two.bin');
    await writeWhole(again, Buffer.from('second'));
    expect(fs.readFileSync(again, 'utf8')).toBe('second');
    expect(fs.readdirSync(path.dirname(again))).toEqual(['two.bin']);
  });
});
