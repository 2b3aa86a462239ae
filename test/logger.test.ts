import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { maskPhone } from "../src/domain/phone.js";

describe("maskPhone", () => {
  it("keeps only the last two digits", () => {
    expect(maskPhone("+14035550123")).toBe("+*********23");
  });

  it("hides as much of a formatted number as of an E.164 one", () => {
    expect(maskPhone("(403) 555-0123")).toBe("(***) ***-**23");
    expect(maskPhone("+1 403 555 0123")).toBe("+* *** *** **23");
  });

  it("leaves words alone", () => {
    expect(maskPhone("anonymous")).toBe("anonymous");
  });
});

describe("the logger", () => {
  it("masks caller numbers wherever they appear, at info level", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ level: "info", destination: sink });
    log.info({ from: "+14035550123", report: { callbackNumber: "+14035559876" } }, "call started");
    expect(lines.join("")).not.toMatch(/4035550123|4035559876/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ from: "+*********23", report: { callbackNumber: "+*********76" } });
  });
});
