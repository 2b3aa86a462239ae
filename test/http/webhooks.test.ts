import { connect, type AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendXml } from "../../src/http/webhooks.js";

// What Twilio reads of a webhook's answer: its status, its type and its length in bytes.
const answer = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Café on Ōtautahi Street. Goodbye.</Say></Response>';
let server: ReturnType<express.Express["listen"]>;
let base: string;
beforeAll(async () => {
  const app = express();
  app.post("/answer", (_req, res) => sendXml(res, answer));
  // A handler that set another status first (an error page's) still answers 200: Twilio plays only that.
  app.post("/after-status", (_req, res) => sendXml(res.status(500), answer));
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("a webhook's XML answer", () => {
  it("is 200, text/xml in UTF-8, with its length counted in bytes, not characters", async () => {
    const response = await fetch(`${base}/answer`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/xml; charset=utf-8");
    expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(answer, "utf8"));
    expect(Number(response.headers.get("content-length"))).toBeGreaterThan(answer.length);
    expect(await response.text()).toBe(answer);
  });

  it("says its length to an HTTP/1.0 client too (a proxy's: nginx speaks 1.0 to its upstreams by default)", async () => {
    const { port } = server.address() as AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.end("POST /answer HTTP/1.0\r\nHost: line\r\nContent-Length: 0\r\n\r\n"));
      let text = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk)).on("end", () => resolve(text)).on("error", reject);
    });
    const [head, body] = raw.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain(`\r\nContent-Length: ${Buffer.byteLength(answer, "utf8")}`);
    expect(head).toContain("\r\nContent-Type: text/xml; charset=utf-8");
    expect(body).toBe(answer);
  });

  it("is 200 whatever status the handler had set before", async () => {
    const response = await fetch(`${base}/after-status`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(answer);
  });
});
