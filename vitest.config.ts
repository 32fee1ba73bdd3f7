import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Every project's summary rolls up into one closing line that CI reads.
    reporters: ["default"],
    // A focused test left in by mistake fails the run instead of silently skipping the rest.
    allowOnly: false,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/**", "node_modules/**"],
          // One PostgreSQL server for the run; every test file creates its own database on it.
          globalSetup: ["test/support/global-postgres.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          // One local stack serves every file, so files run one after another.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
