import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rememberDevLine, runningDevLine } from "../../scripts/lib/dev-line.js";

describe("where npm run dev is answering, for npm run call", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is found while the dev process runs, on whatever port it was given", () => {
    dir = mkdtempSync(path.join(tmpdir(), "dev-line-"));
    rememberDevLine("http://localhost:3999", "http://localhost:3999", dir);
    expect(runningDevLine(dir)).toEqual({ url: "http://localhost:3999", publicUrl: "http://localhost:3999", pid: process.pid });
  });

  it("is ignored when the process that wrote it has gone", () => {
    dir = mkdtempSync(path.join(tmpdir(), "dev-line-"));
    // Beyond any pid the kernel hands out (pid_max is at most 2^22).
    writeFileSync(path.join(dir, "dev-line.json"), JSON.stringify({ url: "http://localhost:3999", publicUrl: "http://localhost:3999", pid: 2 ** 22 + 7 }));
    expect(runningDevLine(dir)).toBeUndefined();
  });

  it("is ignored when the note is damaged", () => {
    dir = mkdtempSync(path.join(tmpdir(), "dev-line-"));
    writeFileSync(path.join(dir, "dev-line.json"), "{half");
    expect(runningDevLine(dir)).toBeUndefined();
  });

  it("is nothing when no dev line was started", () => {
    dir = mkdtempSync(path.join(tmpdir(), "dev-line-"));
    expect(runningDevLine(dir)).toBeUndefined();
  });
});
