import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { Redis } from "ioredis";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `npm start` as operators run it: one process, web and worker, configured only by the environment.
// It runs without Twilio credentials, which production allows only with PAGER=console on purpose.
const TOKEN = "main-process-test-token";
const PUBLIC_URL = "https://line.example.org";
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/12"; // a database of its own: the process writes the line's real key names
const REDIS_URL = base.toString();

describe("the main process", { timeout: 60_000 }, () => {
  let child: ChildProcess;
  let port = 0;
  let output = "";
  // A records database of its own on the server (the embedded one takes seconds to create).
  let records: TestDatabase;

  beforeAll(async () => {
    records = await testDatabase("postgres", { migrated: false });
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "0",
        REDIS_URL,
        PUBLIC_URL,
        TWILIO_AUTH_TOKEN: TOKEN,
        LOG_LEVEL: "info",
        PAGER: "console",
        FALLBACK_NUMBER: "+14035550199",
        DATABASE_URL: records.url!,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const found = /"msg":"web: listening"/.test(output) && /"port":(\d+)/.exec(output);
        if (found) resolve(Number(found[1]));
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    const redis = new Redis(REDIS_URL);
    await records.close();
    for (const pattern of ["civic:*", "bull:oncall-dispatch:*", "bull:records:*", "bull:department-delivery:*", "bull:twilio-sms:*", "bull:twilio-calls:*"]) {
      const keys = await redis.keys(pattern);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  it("is healthy and ready, and its readiness says that pages are not being sent", async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({
      status: "ready",
      redis: "ok",
      pager: "console: pages are NOT being sent",
    });
  });

  it("logs at error level, for the web and the worker, that pages are not being sent", () => {
    const errors = output.split("\n").filter((line) => line.includes('"level":50') && line.includes("pages to the on-call crew are NOT being sent"));
    expect(errors.map((line) => JSON.parse(line).role).sort()).toEqual(["web", "worker"]);
  });

  it("answers /status with its worker's heartbeat, an empty queue, and trouble: pages are not being sent", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/status`);
    // A monitor watching /status must hear of a production line that pages nobody.
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: "trouble",
      web: "up",
      redis: "ok",
      worker: { heartbeatAgeSeconds: expect.any(Number), processes: 1 },
      dispatch: { oldestDueJobDelaySeconds: 0 },
      pager: "console: pages are NOT being sent",
      problems: [expect.stringMatching(/^Pages are NOT being sent: the worker uses the console pager/)],
    });
  });

  it("answers a signed call with TwiML and refuses an unsigned one", async () => {
    const params = { CallSid: `CA${randomBytes(16).toString("hex")}`, From: "+14035550187", To: "+14035550311" };
    const post = (signature?: string) =>
      fetch(`http://127.0.0.1:${port}/twilio/voice`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...(signature ? { "x-twilio-signature": signature } : {}) },
        body: new URLSearchParams(params),
      });
    const signed = await post(twilio.getExpectedTwilioSignature(TOKEN, `${PUBLIC_URL}/twilio/voice`, params));
    expect(signed.status).toBe(200);
    expect(await signed.text()).toMatch(/^<\?xml[\s\S]*<Response>[\s\S]*<Gather/);
    expect((await post()).status).toBe(403);
  });

  it("masks the caller's number in its logs", () => {
    expect(output).toContain('"from":"+*********87"');
    expect(output).not.toContain("4035550187");
  });

  it("shows no secret and no caller's number in /status, which anyone can read", async () => {
    const body = await (await fetch(`http://127.0.0.1:${port}/status`)).text();
    expect(body).not.toContain(TOKEN);
    expect(body).not.toMatch(/\+?\d{10,}/);
  });

  it("stops cleanly on SIGTERM, and a second signal while it stops does not cut that short", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    // Signals again, as under npm run dev, where one Ctrl-C is two SIGINTs: the terminal's, and the one tsx passes on.
    for (let waited = 0; !output.includes('"msg":"stopping"') && waited < 5_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    // Still stopping when the second and third signals come, or the test would prove nothing.
    expect(output).not.toContain('"msg":"stopped"');
    expect(child.kill("SIGTERM")).toBe(true);
    expect(child.kill("SIGINT")).toBe(true);
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopped"');
  });
});
