import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from './errors.ts';
import { decodeCursor, encodeCursor, pageQuery, toPage } from './pagination.ts';

const shape = z.tuple([z.iso.datetime(), z.number().int()]);

describe('cursors', () => {
  it('round-trip a sort key through an opaque URL-safe string', () => {
    const cursor = encodeCursor(['2026-03-31T12:00:00.123456Z', 42]);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor, shape)).toEqual(['2026-03-31T12:00:00.123456Z', 42]);
  });

  it('refuse a cursor that is not one of ours as a validation error on the cursor field', () => {
    for (const forged of ['not base64 at all!', encodeCursor(['x', 'y']), encodeCursor([1]), '']) {
      try {
        decodeCursor(forged, shape);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).fields[0]?.field).toBe('cursor');
      }
    }
  });
});

describe('pages', () => {
  it('use the extra row only to know another page exists, and point the cursor at the last row shown', () => {
    const rows = [1, 2, 3].map((id) => ({ id }));
    const page = toPage(rows, 2, (r) => [r.id]);
    expect(page.items).toEqual([{ id: 1 }, { id: 2 }]);
    expect(decodeCursor(page.nextCursor ?? '', z.tuple([z.number()]))).toEqual([2]);
    expect(toPage(rows.slice(0, 2), 2, (r) => [r.id]).nextCursor).toBeNull();
    expect(toPage([], 2, () => []).nextCursor).toBeNull();
  });

  it('take a limit from 1 to 100, 50 when absent', () => {
    expect(pageQuery.parse({}).limit).toBe(50);
    expect(pageQuery.parse({ limit: '100' }).limit).toBe(100);
    for (const limit of ['0', '101', '2.5', 'ten']) expect(pageQuery.safeParse({ limit }).success).toBe(false);
  });
});
