// Do the table types the code reads and writes through (the `Database` interface of
// src/platform/db/schema.ts, with what each module's `*.tables.ts` adds to it) match the database
// the migrations make? Migrates a fresh embedded database, reads its tables and columns, reads the
// interface with TypeScript's own checker, and prints every difference: a table or column on one side
// only, or a column nullable on one side and not the other. Exits 1 when there is any.
//
//   npm run check:schema
import path from 'node:path';
import ts from 'typescript';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Column {
  /** null: not known (a view's or a generated column's, which the database reports as nullable; `unknown` in code). */
  nullable: boolean | null;
}
type Tables = Map<string, Map<string, Column>>;

async function databaseTables(): Promise<Tables> {
  const db = await openDatabase({ kind: 'pglite', dir: null });
  try {
    await migrate(db);
    const { rows } = await db.query<{
      table_name: string;
      column_name: string;
      is_nullable: string;
      is_generated: string;
      table_type: string;
    }>(
      `SELECT c.table_name, c.column_name, c.is_nullable, c.is_generated, t.table_type
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND c.table_name <> 'schema_migrations'
        ORDER BY c.table_name, c.ordinal_position`,
    );
    const tables: Tables = new Map();
    for (const row of rows) {
      const columns = tables.get(row.table_name) ?? new Map<string, Column>();
      const known = row.table_type === 'BASE TABLE' && row.is_generated !== 'ALWAYS';
      columns.set(row.column_name, { nullable: known ? row.is_nullable === 'YES' : null });
      tables.set(row.table_name, columns);
    }
    return tables;
  } finally {
    await db.close();
  }
}

function codeTables(): Tables {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const schemaFile = program.getSourceFile(path.join(ROOT, 'src/platform/db/schema.ts'));
  if (!schemaFile) throw new Error('src/platform/db/schema.ts is not in the program');
  const declaration = schemaFile.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Database',
  );
  const symbol = declaration && checker.getSymbolAtLocation(declaration.name);
  if (!symbol) throw new Error('no Database interface in schema.ts');
  const database = checker.getDeclaredTypeOfSymbol(symbol);
  const tables: Tables = new Map();
  for (const table of checker.getPropertiesOfType(database)) {
    const name = table.getName();
    if (name.includes('.')) continue; // another schema's table (pg-boss's), not the migrations'
    const tableType = checker.getTypeOfSymbol(table);
    const columns = new Map<string, Column>();
    for (const column of checker.getPropertiesOfType(tableType)) {
      let type = checker.getTypeOfSymbol(column);
      // Kysely's ColumnType and Generated carry the type read as `__select__`.
      const selected = type.getProperty('__select__');
      if (selected) type = checker.getTypeOfSymbol(selected);
      const parts = type.isUnion() ? type.types : [type];
      const vague = parts.some((p) => (p.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) !== 0);
      columns.set(column.getName(), {
        nullable: vague ? null : parts.some((p) => (p.flags & ts.TypeFlags.Null) !== 0),
      });
    }
    tables.set(name, columns);
  }
  return tables;
}

const [inDatabase, inCode] = [await databaseTables(), codeTables()];
const problems: string[] = [];
for (const [table, columns] of inDatabase) {
  const typed = inCode.get(table);
  if (!typed) {
    problems.push(`table ${table}: in the database, not in the Database interface`);
    continue;
  }
  for (const [column, { nullable }] of columns) {
    const t = typed.get(column);
    if (!t) problems.push(`${table}.${column}: in the database, not in its table type`);
    else if (t.nullable !== null && nullable !== null && t.nullable !== nullable)
      problems.push(
        `${table}.${column}: ${nullable ? 'nullable' : 'NOT NULL'} in the database, ${t.nullable ? 'nullable' : 'never null'} in its table type`,
      );
  }
  for (const column of typed.keys())
    if (!columns.has(column)) problems.push(`${table}.${column}: in its table type, not in the database`);
}
for (const table of inCode.keys())
  if (!inDatabase.has(table)) problems.push(`table ${table}: in the Database interface, not in the database`);

const columnCount = [...inDatabase.values()].reduce((n, c) => n + c.size, 0);
console.log(`Schema drift: ${problems.length} (${inDatabase.size} tables, ${columnCount} columns compared)`);
for (const problem of problems) console.log(`  ${problem}`);
process.exit(problems.length > 0 ? 1 : 0);
