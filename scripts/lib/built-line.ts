/**
 * The line as production runs it, for the benchmarks and `npm run storm`: compiled into a folder
 * of their own (`.bench/dist`, never over dist/, which a line on this checkout may be running
 * from) and started as child processes, so what is measured is what a City runs, not what tsx
 * runs from sources.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, cpSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** Where the benchmarks build the line, as `npm run build` builds it into dist/ (git ignores it). */
export const BUILD_DIR = ".bench/dist";

/** The newest modification time of any file under `dir`, in ms. */
function newestUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the line as `npm run build` does, into {@link BUILD_DIR}, unless that build is newer
 * than everything it is made from (a file removed from src/ is not seen: remove .bench/ then).
 * Exits the process, saying so, when the build fails.
 */
export function buildWhenStale(program: string): void {
  const built = join(BUILD_DIR, "web.js");
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  // What the build is made from: the sources, how they are compiled and bundled, and the dependencies.
  const inputs = Math.max(newestUnder("src"), ...["tsconfig.json", "tsconfig.build.json", "scripts/build-console.ts", "package-lock.json"].map((file) => statSync(file).mtimeMs));
  if (builtAt > inputs) return;
  console.log(`building the line as production runs it (npm run build's steps, into ${BUILD_DIR}/)...`);
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const steps: [string, string[]][] = [
    [process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--outDir", BUILD_DIR]],
    [process.execPath, ["--import", "tsx", "scripts/build-console.ts", join(BUILD_DIR, "console")]],
  ];
  for (const [command, args] of steps) {
    if (spawnSync(command, args, { stdio: ["ignore", "ignore", "inherit"] }).status !== 0) {
      console.error(`${program}: the build failed (${args.slice(0, 3).join(" ")}...): fix it (npm run build says the same), then run it again`);
      process.exit(1);
    }
  }
  cpSync("src/adapters/postgres/migrations", join(BUILD_DIR, "adapters/postgres/migrations"), { recursive: true });
}

/** A server started by {@link startServer}. */
export interface StartedServer {
  child: ChildProcess;
  /** The port it listens on; 0 for a role that serves nothing (a worker alone). */
  port: number;
  /** Everything it has written to stdout so far, when `keepOutput` was asked for. */
  output: () => string;
}

export interface StartServerOptions {
  /** Keep the process's stdout (its log lines) for {@link StartedServer.output}. @defaultValue false */
  keepOutput?: boolean;
  /** Resolve when this appears in its output instead of when it says it listens. */
  readyWhen?: RegExp;
  /** How long it may take to be ready before it is stopped and the start fails. @defaultValue 60_000 */
  timeoutMs?: number;
  /**
   * Write its stdout to this file, as a log collector would take it, instead of through a pipe to
   * this process: a load generator that read every log line the server writes would be slowed by
   * them, and measure the server slower than it is. The file is read only until it is ready.
   */
  logFile?: string;
}

/**
 * Starts `args` under node (a built script, or `--import tsx` and a TypeScript one) and resolves
 * once it listens (PORT is 0: it says which port it took), or once `readyWhen` appears.
 */
export function startServer(args: string[], env: Record<string, string>, options: StartServerOptions = {}): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    const script = args.at(-1)!;
    const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, "w");
    const child = spawn(process.execPath, args, {
      env: { ...process.env, PORT: "0", ...env },
      stdio: ["ignore", logFd ?? "pipe", "inherit"],
    });
    if (logFd !== undefined) closeSync(logFd);
    let output = "";
    let started = false;
    const fromFile = () => readFileSync(options.logFile!, "utf8");
    const timer = setTimeout(() => {
      clearInterval(polling);
      child.kill("SIGKILL");
      reject(new Error(`${script} was not ready within ${(options.timeoutMs ?? 60_000) / 1000} s (it logs "listening" at LOG_LEVEL info): ${(logFd === undefined ? output : fromFile()).slice(-2_000)}`));
    }, options.timeoutMs ?? 60_000);
    /** Whether `text`, all it has written so far, says it is ready; resolves once when it does. */
    const readyIn = (text: string): boolean => {
      const port = /listening (\d+)/.exec(text)?.[1] ?? /"port":(\d+)/.exec(text)?.[1];
      const ready = options.readyWhen ? options.readyWhen.test(text) : port !== undefined;
      if (!ready) return false;
      started = true;
      clearTimeout(timer);
      clearInterval(polling);
      const kept = () => (logFd === undefined ? output : fromFile());
      resolve({ child, port: Number(port ?? 0), output: options.keepOutput ? kept : () => "" });
      return true;
    };
    const polling = logFd === undefined ? undefined : setInterval(() => readyIn(fromFile()), 50);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (options.keepOutput || !started) output += chunk.toString();
      if (!started && readyIn(output) && !options.keepOutput) output = "";
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      clearInterval(polling);
      reject(new Error(`${script} could not be started: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      clearInterval(polling);
      if (!started) reject(new Error(`${script} exited (${signal ?? `code ${code}`}) before it was ready: ${(logFd === undefined ? output : fromFile()).slice(-2_000)}`));
    });
  });
}

/**
 * The CPU time a process has used so far (user and system, all its threads), in ms, read from
 * Linux's /proc; null elsewhere.
 */
export function cpuMsOf(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}
