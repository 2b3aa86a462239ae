import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Webhook and queue tests talk to a real Redis; give them room without hiding hangs.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
