/**
 * Where `npm run dev` is answering, so that `npm run call` finds a line started on another PORT
 * (`PORT=3999 npm run dev`) without being told. The dev runner writes `.data/dev-line.json`
 * when it starts; the terminal phone reads it while that process is alive.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const fileIn = (dir: string) => path.resolve(dir, "dev-line.json");

interface DevLine {
  /** Where the line listens. */
  url: string;
  /** What it signs with (its PUBLIC_URL). */
  publicUrl: string;
  pid: number;
}

/** Notes where this process answers, and forgets it when the process exits. */
export function rememberDevLine(url: string, publicUrl: string, dir = ".data"): void {
  mkdirSync(dir, { recursive: true });
  const line: DevLine = { url, publicUrl, pid: process.pid };
  writeFileSync(fileIn(dir), `${JSON.stringify(line)}\n`);
  process.once("exit", () => {
    if (runningDevLine(dir)?.pid === process.pid) rmSync(fileIn(dir), { force: true });
  });
}

/**
 * Where a command-line tool reaches the line, and the base URL it signs with: `--url` when given,
 * else `PUBLIC_URL`, else the line `npm run dev` is running (on whatever PORT it was given), else
 * `http://localhost:$PORT`. Empty variables (a `.env` copied from `.env.example`) count as unset.
 */
export function lineAddress(url: string | undefined, env: NodeJS.ProcessEnv, defaultPort: number): { url: string; publicUrl: string } {
  const publicUrl = env["PUBLIC_URL"] || undefined;
  const devLine = url || publicUrl ? undefined : runningDevLine();
  const base = (url || publicUrl || devLine?.url || `http://localhost:${env["PORT"] || defaultPort}`).replace(/\/+$/, "");
  return { url: base, publicUrl: (publicUrl ?? devLine?.publicUrl ?? base).replace(/\/+$/, "") };
}

/**
 * What `npm run dev` sets unless the environment or `.env` says otherwise: development (the
 * relaxed requirements, readable logs) and debug logs. An empty value counts as unset, as it does
 * for the line: a `.env` copied from `.env.example` has `LOG_LEVEL=`, and leaves NODE_ENV out so
 * that the same file is a production one under `npm start`.
 */
export function applyDevDefaults(env: NodeJS.ProcessEnv): void {
  env["NODE_ENV"] ||= "development";
  env["LOG_LEVEL"] ||= "debug";
}

/** The line `npm run dev` is running, if its process is still alive. */
export function runningDevLine(dir = ".data"): DevLine | undefined {
  if (!existsSync(fileIn(dir))) return undefined;
  try {
    const line = JSON.parse(readFileSync(fileIn(dir), "utf8")) as DevLine;
    if (typeof line.url !== "string" || typeof line.publicUrl !== "string" || !Number.isInteger(line.pid)) return undefined;
    process.kill(line.pid, 0);
    return line;
  } catch {
    // Unreadable, or its process is gone: a stale note from a run that did not end cleanly.
    return undefined;
  }
}
