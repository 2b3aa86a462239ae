/**
 * `tsx scripts/with-redis.ts -- <command...>`: runs a command with a Redis answering at
 * REDIS_URL. Uses the one already there; otherwise starts a private `redis-server` from PATH on
 * that address (data under .data/redis) and stops it when the command ends. `npm run dev` and
 * `npm test` both go through here. With REDIS_SENTINELS set, Redis is the sentinels' to find:
 * the command runs as it is, and nothing is started.
 *
 * One Ctrl-C stops it all, in order: the command first (it may need Redis to stop cleanly), then
 * the private Redis. A terminal's Ctrl-C reaches every process of the foreground group at once,
 * the command and its children included, so the signal is not sent to the command a second time
 * (`tsx watch` takes a second signal as "force kill now", and the line would be cut short while
 * stopping); it is passed on only when the command is still running a while later, as it is when
 * the signal was sent to this process alone.
 */
import "./lib/load-env.js";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { DEFAULT_REDIS_URL } from "../src/config/env.js";
import { redisAnswers } from "./lib/redis-probe.js";

const INSTALL_HINT = "sudo apt-get install -y redis-server   (macOS: brew install redis)";

const separator = process.argv.indexOf("--");
const command = separator >= 0 ? process.argv.slice(separator + 1) : process.argv.slice(2);
if (command.length === 0) {
  console.error("usage: tsx scripts/with-redis.ts -- <command> [args...]");
  process.exit(2);
}

const redisUrl = new URL(process.env.REDIS_URL || DEFAULT_REDIS_URL);
const host = redisUrl.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
const port = Number(redisUrl.port || 6379);

function onPath(binary: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      return statSync(path.join(dir, binary)).isFile();
    } catch {
      return false;
    }
  });
}

let server: ChildProcess | undefined;

/** Whether `host` is this machine's loopback, where a private Redis can stand in for a missing one. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

async function startPrivateRedis(): Promise<void> {
  if (!isLoopback(host)) {
    console.error(`Nothing answers at ${host}:${port} (REDIS_URL). A private Redis runs only on this machine: start that Redis, or set REDIS_URL to one that answers.`);
    process.exit(1);
  }
  if (!onPath("redis-server")) {
    console.error(`Nothing answers at ${redisUrl.host} and there is no redis-server on PATH.\nInstall one with:\n  ${INSTALL_HINT}`);
    process.exit(1);
  }
  const dir = path.resolve(".data", "redis");
  mkdirSync(dir, { recursive: true });
  console.error(`[with-redis] nothing answers at ${host}:${port}; starting a private redis-server (data in ${dir})`);
  server = spawn(
    "redis-server",
    ["--port", String(port), "--bind", host, "--dir", dir, "--save", "60 1", "--appendonly", "no", "--logfile", path.join(dir, "redis.log")],
    {
      stdio: "ignore",
      // Redis keeps the real time whatever the line is told: under `faketime npm run dev` it would
      // otherwise hang in libfaketime, and the line would wait for it in vain.
      env: withoutFakeTime(process.env),
      // A process group of its own, out of the terminal's reach: a Ctrl-C would otherwise stop
      // Redis at the same instant as the line, which then logs its Redis lost while it stops.
      // It is stopped below, once the command has ended.
      detached: true,
    },
  );
  server.once("exit", (code) => {
    if (code !== null && code !== 0) console.error(`[with-redis] redis-server exited with code ${code}; see ${dir}/redis.log`);
  });
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (await redisAnswers(host, port, 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.error(`[with-redis] redis-server did not answer at ${host}:${port} within 10 s; see ${dir}/redis.log`);
  server.kill();
  process.exit(1);
}

/** The environment without libfaketime's variables. */
function withoutFakeTime(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const preload = (env["LD_PRELOAD"] ?? "").split(/[:\s]+/).filter((library) => library && !/faketime/i.test(library));
  const rest = Object.fromEntries(Object.entries(env).filter(([name]) => !/^(FAKETIME|LD_PRELOAD$|DYLD_INSERT_LIBRARIES$)/.test(name)));
  return preload.length > 0 ? { ...rest, LD_PRELOAD: preload.join(":") } : rest;
}

/** How long the command may take to stop on a signal it got from the terminal before it is sent the signal itself. */
const RELAY_AFTER_MS = 6_000;

let child: ChildProcess | undefined;

// SIGHUP too: the terminal closing ends the command, and the private Redis (in a session of its own, out of
// the terminal's reach) must not outlive it, holding the port for the next run.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    // Signalled before the command started (Redis still starting): nothing to wait for.
    if (!child) process.exit(signal === "SIGINT" ? 130 : signal === "SIGHUP" ? 129 : 143);
    // The command most likely got this signal too (a Ctrl-C, or `kill -- -PGID`); if not, it is
    // told once the wait is over. Either way it decides when it has stopped, and this waits for it.
    setTimeout(() => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    }, RELAY_AFTER_MS).unref();
  });
}
// However this process ends, a private Redis does not outlive it (it is in a group of its own).
process.once("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
});

/** Stops the private Redis, if one was started, and waits (at most 5 s) until it has saved and gone. */
async function stopRedis(): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const gone = new Promise((resolve) => server!.once("exit", resolve));
  server.kill("SIGTERM");
  await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
}

// A line reached through Sentinel has a Redis someone runs on purpose: a private one would be wrong.
if (!process.env.REDIS_SENTINELS && !(await redisAnswers(host, port))) await startPrivateRedis();

// The command is told when its Redis is a private one, and only then (npm run storm --url must read the
// line's own): a private Redis an outer with-redis started says nothing of this one's.
const { CIVIC_PRIVATE_REDIS: _outer, ...inherited } = process.env;
child = spawn(command[0]!, command.slice(1), { stdio: "inherit", shell: false, env: server ? { ...inherited, CIVIC_PRIVATE_REDIS: "1" } : inherited });
child.once("exit", (code, signal) => {
  void stopRedis().finally(() => process.exit(code ?? (signal ? 1 : 0)));
});
