import { defineConfig } from 'vitest/config';

/** Database tests that replace a module of the application (`vi.mock`): each needs a module graph of its own. */
const ISOLATED = ['test/integration/sign-in-race.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.db.test.ts'],
        },
      },
      {
        test: {
          name: 'db',
          include: ['src/**/*.db.test.ts', 'test/integration/**/*.test.ts'],
          exclude: [...ISOLATED],
          globalSetup: ['test/support/global-db.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          // The files of a worker share one module graph: the application's modules are loaded once
          // per worker rather than once per file. Each file still builds its own app and database.
          isolate: false,
        },
      },
      {
        test: {
          name: 'db-isolated',
          include: [...ISOLATED],
          globalSetup: ['test/support/global-db.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-db.ts', 'test/support/e2e-report.ts'],
          testTimeout: 240_000,
          hookTimeout: 90_000,
          // Each file starts its own server, database and Chromium: two at once keep both cores busy.
          maxWorkers: 2,
        },
      },
    ],
  },
});
