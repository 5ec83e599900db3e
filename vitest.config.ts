import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A hang detector, not a speed test: end-to-end tests spawn many processes on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Vitest's default (one fork per core but one) runs the files one at a time on a 2-core box,
    // where most of an end-to-end file's time is spent waiting for the processes, broker and
    // pseudo-terminals it drives: two forks there keep both cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
