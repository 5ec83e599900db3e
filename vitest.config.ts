import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A hang detector, not a speed test: end-to-end tests spawn many processes on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
