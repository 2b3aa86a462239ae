import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const REPOSITORY = resolve(".");
/** tsx's loader by its path, for a script run from another folder than the repository. */
const TSX = pathToFileURL(join(REPOSITORY, "node_modules/tsx/dist/loader.mjs")).href;
/** What tells a command where the line's records and definitions are. */
const RECORDS_SETTINGS = ["DATA_DIR", "DATABASE_URL", "FLOWS_DIR"];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` to the end; never rejects. */
async function runNode(args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/**
 * Runs `tsx scripts/<script> ...args` from the repository root, as its npm script does; never
 * rejects. Node loads tsx itself rather than through npx, which takes three times as long to start.
 */
export function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runNode(["--import", "tsx", `scripts/${script}`, ...args], { env: { ...process.env, ...env } });
}

/**
 * Runs `scripts/<script>` as its npm script does, but from `cwd` (where `.env` is read), with the
 * environment a supervisor's shell has: none of the records settings (DATA_DIR, DATABASE_URL,
 * FLOWS_DIR) unless `env` gives them. Never rejects.
 */
export function runScriptIn(cwd: string, script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !RECORDS_SETTINGS.includes(name)));
  return runNode(["--import", TSX, join(REPOSITORY, "scripts", script), ...args], { cwd, env: { ...inherited, ...env } });
}
