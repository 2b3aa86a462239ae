/**
 * `npm run requests` names each request's service as supervisors know it (the department's name for
 * an agent queue, from the line's definitions in $FLOWS_DIR), with the code `--service` takes beside
 * it; and when the definitions cannot be read, it still lists, with the codes in words.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/adapters/postgres/migrate.js";
import { openDatabase, type OpenedDatabase } from "../../src/adapters/postgres/open-database.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import type { ServiceRequest } from "../../src/domain/records.js";
import { runScript, type CliResult } from "../helpers/cli.js";
import { onlineRequest } from "../helpers/records.js";

/** A question about an account, asked on the web form `hoursAgo` hours ago. */
const online = (reference: string, service: string, department: string, hoursAgo: number): ServiceRequest =>
  onlineRequest({ reference, service, department, requestedAt: DateTime.now().minus({ hours: hoursAgo }).toUTC().toISO()!, description: "About my account", callbackNumber: "+14035550111" });

describe("npm run requests names the services", { timeout: 60_000 }, () => {
  let dir: string;
  let line: OpenedDatabase;
  const requests = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runScript("requests.ts", args, { DATABASE_URL: "", DATA_DIR: dir, FLOWS_DIR: "flows", ...env });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-requests-names-"));
    line = await openDatabase({ kind: "pglite", dataDir: dir });
    await migrate(line);
    const store = new PostgresRecordStore(line);
    await store.addRequest(online("5401", "roads-transit", "Transportation / Public Works", 2));
    await store.addRequest(online("5402", "utility-billing", "Utility Billing", 1));
  }, 60_000);
  afterAll(async () => {
    await line?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lists each request's service by the department that answers its queue, with the code", async () => {
    const run = await requests(["list"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const line = (reference: string) => run.stdout.split("\n").find((text) => text.startsWith(reference))!;
    expect(line("5401")).toContain("Transportation / Public Works (roads-transit)");
    expect(line("5402")).toContain("Utility Billing (utility-billing)");
  });

  it("shows one request's service the same way", async () => {
    const run = await requests(["show", "5402"]);
    expect(run.stdout).toMatch(/^Service\s+Utility Billing \(utility-billing\)$/m);
  });

  it("gives the name beside the code in JSON", async () => {
    const run = await requests(["list", "--service", "roads-transit", "--format", "json"]);
    expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ service: "roads-transit", serviceName: "Transportation / Public Works" })]);
  });

  it("still lists, with the codes in words, when the definitions cannot be read", async () => {
    const flows = await mkdtemp(join(tmpdir(), "civic-requests-names-flows-"));
    try {
      // The hours are all a list needs; no call flow, no departments.
      await writeFile(join(flows, "hours.yaml"), await readFile("flows/hours.yaml", "utf8"));
      const run = await requests(["list"], { FLOWS_DIR: flows });
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout.split("\n").find((text) => text.startsWith("5401"))).toContain("Roads transit (roads-transit)");
    } finally {
      await rm(flows, { recursive: true, force: true });
    }
  });
});
