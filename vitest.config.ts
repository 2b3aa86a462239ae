import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Webhook and queue tests talk to a real Redis; give them room without hiding hangs.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Most files spend their time waiting on Redis, PostgreSQL, child processes and timers rather
    // than on a CPU, so three at a time on two CPUs finish the suite in about half the time of the
    // default (one fewer than the CPUs). Every file has its own Redis database, prefix or queue and
    // its own PostgreSQL database, so they do not meet.
    maxWorkers: 3,
  },
});
