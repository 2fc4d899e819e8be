import { defineProject } from 'vitest/config';

// The cross-instance suite: HAProxy in front of three backend instances on one PostgreSQL server, all started and
// stopped by the suite itself (./cluster.ts). Without HAProxy it fails in CI and says why it skipped elsewhere.
export default defineProject({
  test: {
    name: 'backend-cluster',
    include: ['backend/cluster/**/*.cluster.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
