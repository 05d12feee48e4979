import { defineConfig } from 'vitest/config';

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
          globalSetup: ['test/support/global-db.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
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
