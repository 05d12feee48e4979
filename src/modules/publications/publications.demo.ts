import type { DemoLoader } from '../../cli/demo-fixtures.ts';

export const publicationsDemoLoader: DemoLoader = {
  name: 'publications',
  load: async () => {},
};
