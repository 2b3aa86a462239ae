import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lineAddress, rememberDevLine, runningDevLine } from "../../scripts/lib/dev-line.js";

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

describe("the address a command-line tool calls the line at", () => {
  it("is --url when given", () => {
    expect(lineAddress("http://localhost:4000/", { PUBLIC_URL: "https://311.example" }, 3000)).toEqual({ url: "http://localhost:4000", publicUrl: "https://311.example" });
  });

  it("is PUBLIC_URL when set", () => {
    expect(lineAddress(undefined, { PUBLIC_URL: "https://311.example/", PORT: "3999" }, 3000)).toEqual({ url: "https://311.example", publicUrl: "https://311.example" });
  });

  it("treats an empty PUBLIC_URL, as a .env copied from .env.example has it, as unset", () => {
    expect(lineAddress(undefined, { PUBLIC_URL: "", PORT: "3001" }, 3000).url).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it("is http://localhost:$PORT otherwise, when no dev line runs", () => {
    // The tests run from the repository, where .data/dev-line.json is written only by npm run dev.
    const address = lineAddress(undefined, { PORT: "3001" }, 3000);
    expect(address.url === "http://localhost:3001" || address.url === runningDevLine()?.url).toBe(true);
  });
});
