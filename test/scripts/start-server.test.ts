import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "../../scripts/lib/built-line.js";

// The benchmarks' and storm's way of starting the line: ready when it says which port it took.
const dir = mkdtempSync(join(tmpdir(), "start-server-"));
const server = join(dir, "server.mjs");
writeFileSync(
  server,
  `process.stdout.write("starting\\n");
setTimeout(() => process.stdout.write(JSON.stringify({ msg: "web: listening", port: 4321 }) + "\\n"), 200);
setInterval(() => process.stdout.write("call started\\n"), 20);
process.on("SIGTERM", () => process.exit(0));`,
);
const started: StartedServer[] = [];
const start = async (...args: Parameters<typeof startServer>) => {
  const one = await startServer(...args);
  started.push(one);
  return one;
};

afterAll(async () => {
  for (const { child } of started) if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve).kill());
  rmSync(dir, { recursive: true, force: true });
});

describe("starting a server for a measurement", () => {
  it("resolves with the port it says it listens on, read from its output", async () => {
    expect((await start([server], {})).port).toBe(4321);
  });

  it("can send its log lines to a file instead of this process, and still sees when it is ready", async () => {
    const logFile = join(dir, "line.log");
    const one = await start([server], {}, { logFile, keepOutput: true });
    expect(one.port).toBe(4321);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readFileSync(logFile, "utf8")).toMatch(/^starting\n.*"port":4321.*\ncall started\n/s);
    expect(one.output()).toContain("call started");
  });

  it("says what it wrote when it stops before it is ready", async () => {
    const failing = join(dir, "failing.mjs");
    writeFileSync(failing, `process.stdout.write("REDIS_URL is not valid\\n"); process.exit(3);`);
    await expect(startServer([failing], {}, { logFile: join(dir, "failing.log") })).rejects.toThrow(/exited \(code 3\) before it was ready: REDIS_URL is not valid/);
  });
});
