import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../src/config/env.js";
import { createLogger } from "../src/logger.js";
import { PortUnavailableError, startWeb, type Running } from "../src/services.js";

// The web role as `npm run start:web` starts it, in this process. It only reads Redis while
// starting; database 11 keeps it apart from every other file all the same.
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/11";
const REDIS_URL = base.toString();
const log = createLogger({ level: "silent" });

describe("the web role", { timeout: 20_000 }, () => {
  let web: (Running & { server: import("node:http").Server }) | undefined;
  let squatter: Server | undefined;

  afterEach(async () => {
    await web?.stop();
    web = undefined;
    await new Promise<void>((resolve) => (squatter ? squatter.close(() => resolve()) : resolve()));
    squatter = undefined;
  });

  const development = (env: Record<string, string> = {}): Config => loadConfig({ NODE_ENV: "development", PORT: "0", REDIS_URL, ...env });

  /** Something else listening on a port, as another process would. */
  async function occupy(host?: string): Promise<number> {
    squatter = createServer();
    await new Promise<void>((resolve) => squatter!.listen(0, host, () => resolve()));
    return (squatter.address() as AddressInfo).port;
  }

  describe("with the public development token", () => {
    it("listens on 127.0.0.1 only", async () => {
      web = await startWeb(development(), log);
      expect((web.server.address() as AddressInfo).address).toBe("127.0.0.1");
    });
  });

  describe("with a real auth token", () => {
    it("listens on every interface", async () => {
      web = await startWeb(development({ TWILIO_AUTH_TOKEN: "a-real-token" }), log);
      expect(["::", "0.0.0.0"]).toContain((web.server.address() as AddressInfo).address);
    });
  });

  describe("when its port is already taken", () => {
    it("refuses to start, naming the port and what to do", async () => {
      const port = await occupy("127.0.0.1");
      const starting = startWeb(development({ PORT: String(port) }), log);
      await expect(starting).rejects.toThrow(PortUnavailableError);
      await expect(starting).rejects.toThrow(`web: PORT ${port} is already in use: another process (another Civic Line?) listens there. Stop it, or set PORT to a free port.`);
    });
  });
});
