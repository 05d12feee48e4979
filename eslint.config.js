// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const HTTP = { group: ['fastify', '@fastify/*', '**/http/**'], message: 'Domain code never imports HTTP.' };
const MODULES = {
  group: ['**/modules/**'],
  message: 'The platform never imports a module: it declares what it needs and the module passes it in.',
};
const OTHER_REPOSITORY = {
  group: ['../*/*.repository.ts'],
  message: "A module never imports another module's repository: call that module's service.",
};
const PUBLISHED_SQL = {
  group: ['*.sql.ts'],
  message: 'Only repositories build SQL: a *.sql.ts file is imported by repositories alone.',
};
const KYSELY_SQL = {
  name: 'kysely',
  importNames: ['sql'],
  message: 'SQL lives in repositories: add a repository method instead.',
};

/** The import rules of a module file: HTTP is barred from domain code, SQL from all but repositories. */
function restrictedImports({ http, sql }) {
  return {
    patterns: [...(http ? [HTTP] : []), OTHER_REPOSITORY, ...(sql ? [] : [PUBLISHED_SQL])],
    paths: sql ? [] : [KYSELY_SQL],
  };
}

/** Building a query outside a repository. */
const QUERY_BUILDING = [
  {
    selector:
      "CallExpression[callee.type='MemberExpression'][callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|mergeInto|selectNoFrom|replaceInto)$/]",
    message: 'SQL lives in repositories: add a repository method instead.',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'src/assets/**', 'node_modules/**', 'public/**', '.data/**', 'coverage/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      // Fastify hooks are async functions whether or not they await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Module boundaries. Domain and service code never imports HTTP. SQL lives in repositories, and in
  // the SQL a module publishes for other modules' repositories (`*.sql.ts`); a module never imports
  // another module's repository (it calls that module's service).
  {
    files: ['src/modules/**/*.ts'],
    ignores: ['src/modules/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', restrictedImports({ http: false, sql: false })],
      'no-restricted-syntax': ['error', ...QUERY_BUILDING],
    },
  },
  {
    files: ['src/modules/**/domain.ts', 'src/modules/**/*.service.ts'],
    rules: { 'no-restricted-imports': ['error', restrictedImports({ http: true, sql: false })] },
  },
  {
    files: ['src/modules/**/*.repository.ts', 'src/modules/**/*.sql.ts'],
    rules: {
      'no-restricted-imports': ['error', restrictedImports({ http: true, sql: true })],
      'no-restricted-syntax': 'off',
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [HTTP, MODULES] }] },
  },
  // The platform and the command line keep SQL in repositories too. The database plumbing itself
  // (`src/platform/db/`) and the keyset helpers repositories build lists with (`pagination.ts`) are
  // where Kysely is used directly.
  {
    files: ['src/platform/**/*.ts', 'src/cli/**/*.ts'],
    ignores: ['src/platform/db/**', 'src/platform/pagination.ts', '**/*.repository.ts', '**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...QUERY_BUILDING] },
  },
  {
    files: ['src/platform/**/*.ts'],
    ignores: ['src/platform/db/**', 'src/platform/pagination.ts', '**/*.repository.ts', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [HTTP, MODULES], paths: [KYSELY_SQL] }] },
  },
  {
    files: ['src/cli/**/*.ts'],
    ignores: ['**/*.repository.ts', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [KYSELY_SQL] }] },
  },
  {
    files: ['scripts/**', 'bench/**', 'src/cli/**', 'src/modules/**/*.command.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
