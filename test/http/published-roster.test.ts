import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { at, TestLine } from "../helpers/line.js";
import { RecordingPager } from "../helpers/recording-pager.js";

const SAM = "+14035550112"; // water's primary that weekend, by the rotation
const PAT = "+14035550111";

describe("a roster published while the line runs", () => {
  let line: TestLine;
  const pages = new RecordingPager();
  let supervisor: string;
  beforeAll(async () => {
    line = await TestLine.start({ console: { changePager: new RecordingPager() }, pager: pages, now: at("2026-12-05T02:00") });
    supervisor = await line.addUser("sam-supervisor", "supervisor");
  });
  afterAll(async () => {
    await line.close();
  });

  it("pages whoever the new roster puts on call, without a restart: an override for a crew member on leave is obeyed at once", async () => {
    const live = (await line.api("GET", "/api/oncall", { token: supervisor })).body as { source: string };
    const water = live.source.indexOf("\n  water:");
    const overrides = live.source.indexOf("overrides:", water);
    const onLeave = `${live.source.slice(0, overrides)}overrides:\n      - { from: 2026-12-04, to: 2026-12-06, primary: pat, reason: Sam on leave }\n${live.source.slice(live.source.indexOf("\n", overrides) + 1)}`;
    const seen = new Promise((resolve) => line.live!.onChange(resolve));
    const published = await line.api("PUT", "/api/oncall", { token: supervisor, body: { source: onLeave, message: "Sam on leave this weekend" } });
    expect(published.status).toBe(200);
    await seen;

    const caller = line.caller("+14035557001");
    await caller.dial();
    await caller.press("2");
    await caller.say("1210 Scenic Drive South");
    await caller.press("1");
    await caller.press("1");
    await vi.waitFor(() => expect(pages.texts.map((text) => text.to)).toContain(PAT), { timeout: 10_000, interval: 50 });
    expect(pages.texts.map((text) => text.to)).not.toContain(SAM);
  });
});
