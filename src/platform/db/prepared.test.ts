import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector } from 'kysely';
import { describe, expect, it } from 'vitest';
import { LiteralLimitCompiler, StatementNames } from './prepared.ts';

const page = 'select id, name from authorities where kind = $1 order by name limit $2';

describe('statement cache', () => {
  it('runs a statement unnamed the first time and under one name from the second time on', () => {
    const names = new StatementNames();
    expect(names.nameFor(page)).toBeUndefined();
    const name = names.nameFor(page);
    expect(name).toMatch(/^s[\w-]{20}$/);
    expect(names.nameFor(page)).toBe(name);
    expect(names.nameFor(`${page} `)).toBeUndefined();
  });

  it('never prepares transaction control, settings or queries marked to be planned each run', () => {
    const names = new StatementNames();
    for (const text of ['begin', 'commit', 'SET LOCAL lock_timeout = 1000', `${page} /* planned for each run */`]) {
      names.nameFor(text);
      expect(names.nameFor(text)).toBeUndefined();
    }
    names.nameFor('  WITH x AS (SELECT 1) SELECT * FROM x');
    expect(names.nameFor('  WITH x AS (SELECT 1) SELECT * FROM x')).toBeDefined();
  });

  it('remembers a bounded number of texts, so endless shapes of query cannot grow it', () => {
    const names = new StatementNames({ perConnection: 10, known: 3 });
    const texts = ['select 1', 'select 2', 'select 3', 'select 4'];
    for (const text of texts) names.nameFor(text);
    expect(texts.map((t) => names.nameFor(t) !== undefined)).toEqual([true, true, true, false]);
  });
});

describe('statement texts', () => {
  const db = new Kysely<{ authorities: { id: string; name: string } }>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new LiteralLimitCompiler(),
    },
  });

  it('carry a whole-number limit in the text, so a kept plan is costed for it, and other values as parameters', () => {
    const query = db
      .selectFrom('authorities')
      .select('name')
      .where('name', '>', 'M')
      .orderBy('name')
      .limit(50)
      .compile();
    expect(query.sql).toBe('select "name" from "authorities" where "name" > $1 order by "name" limit 50');
    expect(query.parameters).toEqual(['M']);
    const odd = db.selectFrom('authorities').select('name').limit(2.5).compile();
    expect(odd.sql).toBe('select "name" from "authorities" limit $1');
    expect(odd.parameters).toEqual([2.5]);
  });
});
