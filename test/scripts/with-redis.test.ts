/**
 * `npm run dev` (and `npm test`) run under scripts/with-redis.ts, which starts a private
 * redis-server when nothing answers at REDIS_URL. One Ctrl-C must stop it all cleanly: the
 * command once (a second signal makes `tsx watch` kill the line mid-stop), with its Redis still
 * there while it stops, then the private Redis, leaving nothing running.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { redisAnswers } from "../../scripts/lib/redis-probe.js";
import { command, freePort, until } from "../helpers/redis-server.js";

const TSX = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;
const WITH_REDIS = resolve("scripts/with-redis.ts");

/**
 * The command with-redis runs: counts the SIGINTs it gets, and half a second after the first
 * (a line stopping) says how many came and whether Redis still answered, then exits 0.
 */
const STOPPING_COMMAND = `
const net = require("node:net");
const port = Number(process.argv[1]);
const ping = () => new Promise((done) => {
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.setTimeout(500, () => { socket.destroy(); done(false); });
  socket.once("error", () => done(false));
  socket.once("connect", () => socket.write("PING\\r\\n"));
  socket.once("data", (data) => { socket.destroy(); done(String(data).startsWith("+PONG")); });
});
let signals = 0;
process.on("SIGINT", () => {
  if (++signals > 1) return;
  setTimeout(async () => {
    const redis = await ping();
    console.log("stopped: " + JSON.stringify({ signals, redisWhileStopping: redis }));
    process.exit(0);
  }, 500);
});
console.log("ready");
setInterval(() => {}, 1000);
`;

interface Run {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

let dir: string | undefined;
let run: Run | undefined;

afterEach(async () => {
  if (run?.child.exitCode === null) process.kill(-run.child.pid!, "SIGKILL");
  if (run && (await redisAnswers("127.0.0.1", run.port, 300))) await command(run.port, "SHUTDOWN", "NOSAVE").catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  run = undefined;
});

/** with-redis in a process group of its own, as a terminal's foreground job, with nothing at REDIS_URL. */
async function startWithRedis(): Promise<Run> {
  dir = mkdtempSync(join(tmpdir(), "with-redis-"));
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", TSX, WITH_REDIS, "--", process.execPath, "-e", STOPPING_COMMAND, String(port)], {
    cwd: dir,
    env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_SENTINELS: "" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  run = { child, port, output: () => output, exited };
  await until(async () => output.includes("ready"), "the command to start", 15_000);
  expect(await redisAnswers("127.0.0.1", port)).toBe(true);
  return run;
}

describe("npm run dev's private Redis, and Ctrl-C", { timeout: 30_000 }, () => {
  describe("when the terminal's Ctrl-C reaches the whole process group", () => {
    it("the command gets one SIGINT, stops with Redis still there, then Redis stops and with-redis exits 0", async () => {
      const { child, port, output, exited } = await startWithRedis();
      process.kill(-child.pid!, "SIGINT");
      expect(await exited).toBe(0);
      expect(output()).toContain('stopped: {"signals":1,"redisWhileStopping":true}');
      expect(await redisAnswers("127.0.0.1", port, 300)).toBe(false);
    });
  });

  describe("when the terminal closes (SIGHUP to the whole process group)", () => {
    it("the command ends, and the private Redis does not outlive it to hold the port for the next run", async () => {
      const { child, port, exited } = await startWithRedis();
      process.kill(-child.pid!, "SIGHUP");
      await exited;
      expect(await redisAnswers("127.0.0.1", port, 300)).toBe(false);
    });
  });

  describe("when with-redis alone is signalled", () => {
    it("passes the signal on to the command once it has not stopped by itself, then stops Redis", async () => {
      const { child, port, output, exited } = await startWithRedis();
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(output()).toContain('stopped: {"signals":1,"redisWhileStopping":true}');
      expect(await redisAnswers("127.0.0.1", port, 300)).toBe(false);
    });
  });
});

describe("with-redis and the Redis it stands in for", { timeout: 30_000 }, () => {
  const run = (env: Record<string, string>, script: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, ["--import", TSX, WITH_REDIS, "--", process.execPath, "-e", script], { env: { ...process.env, REDIS_SENTINELS: "", ...env } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("exit", (code) => done({ code, stdout, stderr }));
    });

  it("tells the command when its Redis is a private one, and not when REDIS_URL answered", async () => {
    const said = 'process.stdout.write("private=" + (process.env.CIVIC_PRIVATE_REDIS ?? "no"))';
    expect((await run({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, said)).stdout).toBe("private=1");
    expect((await run({ REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379" }, said)).stdout).toBe("private=no");
  });

  it("starts no private Redis for another machine's address that does not answer, and says so", async () => {
    const result = await run({ REDIS_URL: "redis://192.0.2.1:6379" }, 'process.stdout.write("ran")');
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain("ran");
    expect(result.stderr).toContain("Nothing answers at 192.0.2.1:6379 (REDIS_URL). A private Redis runs only on this machine");
  });
});
