/**
 * The supervisors' console in a real browser (Debian's Chromium through playwright-core) against
 * the real line on real Redis: the issue's acceptance. A supervisor signs in, edits the greeting,
 * sees the error for a broken edit at its line, publishes, and a call (signed as Twilio signs)
 * hears the new greeting; a rollback brings the old one back; a closure added on the calendar
 * closes the line at that moment on the test phone; the emergency message is heard; and every
 * change is in the audit log. Each page is kept as a screenshot in test/e2e/screenshots/ to be
 * looked at.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveChromium, openBrowser, SCREENSHOTS, signInThroughForm, type Browser } from "../helpers/browser.js";
import { PASSWORD, TestLine } from "../helpers/line.js";

const OLD_GREETING = "Thank you for calling the City of Lethbridge, 3 1 1.";
const NEW_GREETING = "Welcome to the City of Lethbridge 3 1 1 line.";

const haveBrowser = haveChromium("test/e2e/console.test.ts");

describe.skipIf(!haveBrowser)("the supervisors' console in a browser", { timeout: 60_000 }, () => {
  let line: TestLine;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    line = await TestLine.start({ console: {} });
    await line.addUser("dana", "supervisor");
    await line.addUser("ada", "admin");
    // Anything the page's script throws, or the CSP refuses, fails the suite.
    browser = await openBrowser({ viewport: { width: 1440, height: 1000 } });
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await line?.close();
  });

  /**
   * The whole page; for a page with the diagram, also the window as the supervisor sees it,
   * because a full-page capture resets where the diagram's box is scrolled to.
   */
  const shot = async (name: string) => {
    if ((await page.locator("[data-diagram]").count()) > 0) await page.screenshot({ path: `${SCREENSHOTS}/${name}-window.png` });
    await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  };

  /** What a new call hears first, through the signed webhook. */
  const firstWords = async () => (await line.caller().dial()).says.join(" ");

  it("sends someone who is not signed in to the sign-in page, and signs a supervisor in", async () => {
    await page.goto(`${line.url}/console/flows/main`);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/console/sign-in");
    await shot("01-sign-in");
    await page.getByLabel("Username").fill("dana");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Wrong username or password");
    expect(await page.getByLabel("Username").inputValue()).toBe("dana");
    await shot("02-sign-in-refused");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/console\/flows\/main$/);
    await expect.poll(() => page.locator(".cm-content").count()).toBe(1);
  });

  it("shows the overview: what happens if someone calls now", async () => {
    await page.goto(`${line.url}/console`);
    expect(await page.locator("main").textContent()).toContain("What the caller hears first");
    await page.getByLabel("What happens if someone calls at…").fill("2026-12-25T10:00");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/at=2026-12-25T10/);
    expect(await page.locator(".route").textContent()).toBe("holiday");
    await shot("03-overview-christmas");
  });

  it("shows a broken edit's problem at its line, and the fix clears it", async () => {
    await page.goto(`${line.url}/console/flows/main`);
    await page.locator(".node-box").first().waitFor();
    const source = (await line.api("GET", "/api/flows/main", { token: await line.accounts!.newToken({ username: "dana", by: "test" }) })).body.source as string;
    const nextLine = source.split("\n").findIndex((text) => text.includes("next: safety")) + 1;

    await page.locator(".cm-line", { hasText: "next: safety" }).click();
    await page.keyboard.press("End");
    await page.keyboard.type("x");
    const problem = page.locator("[data-problems] .problem-error").first();
    await expect.poll(() => problem.textContent()).toContain('unknown state "safetyx"');
    expect(await problem.textContent()).toContain(`Line ${nextLine}`);
    expect(await problem.textContent()).toContain('did you mean "safety"');
    expect(await page.locator(".cm-lint-marker-error").count()).toBeGreaterThan(0);
    await shot("04-flow-broken-edit");

    await page.keyboard.press("Backspace");
    await expect.poll(() => page.locator("[data-problems]").textContent()).toContain("No problems found");
  });

  it("publishes a new greeting, and the next call hears it", async () => {
    await page.locator(".cm-line", { hasText: OLD_GREETING }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type(`text: ${NEW_GREETING}`);
    await expect.poll(() => page.locator("[data-problems]").textContent()).toContain("No problems found");

    await page.getByRole("button", { name: "Show changes" }).click();
    await expect.poll(() => page.locator(".change-summary").textContent()).toContain(NEW_GREETING);
    expect(await page.locator("pre.diff .diff-add").first().textContent()).toContain(NEW_GREETING);
    await page.getByLabel("Caller's number").fill("+14035550123");
    await page.getByRole("button", { name: "Call", exact: true }).click();
    await expect.poll(() => page.locator("[data-transcript]").textContent()).toContain(NEW_GREETING);
    expect(await page.locator("[data-outcome]").textContent()).toContain("used your changes");
    expect(await page.locator(".node.lit").count()).toBeGreaterThan(1);
    await shot("05-flow-draft-changes-and-test-phone");

    await page.getByLabel("What you changed, and why").fill("A warmer greeting");
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.waitForURL(/published=2/);
    expect(await page.locator(".notice.ok").textContent()).toContain("version 2");
    await expect.poll(firstWords).toContain(NEW_GREETING);
    await shot("06-flow-published");
  });

  it("rolls back to version 1 after a confirmation, and the old greeting is heard again", async () => {
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Roll back to version 1" }).click();
    await page.waitForURL(/published=3/);
    await expect.poll(firstWords).toContain(OLD_GREETING);
    expect(await page.locator("table tr.current").textContent()).toContain("Rolled back to version 1");
  });

  it("closes the afternoon of 30 December from the calendar, and the test phone then goes to the closed route", async () => {
    await page.goto(`${line.url}/console/hours`);
    await expect.poll(() => page.locator("[data-problems]").textContent()).toContain("No problems found");
    await shot("07-hours");
    const day = page.locator("#day-2026-12-30");
    await day.getByText("Change this day").click();
    await day.getByLabel("Closes at").fill("12:00");
    await day.getByLabel("Reason callers hear").nth(1).fill("the staff year-end meeting");
    const box = (await day.boundingBox())!;
    await page.screenshot({ path: `${SCREENSHOTS}/07b-hours-change-a-day.png`, clip: { x: box.x - 220, y: box.y - 150, width: 700, height: box.height + 300 } });
    await day.getByRole("button", { name: "Shorten this day" }).click();
    await page.waitForURL(/published=2/);
    expect(await page.locator(".notice.ok").textContent()).toContain("Closed 30 December from 12:00: the staff year-end meeting");
    expect(await page.locator("#day-2026-12-30").textContent()).toContain("Closes at 12 noon: the staff year-end meeting");

    const phone = page.locator("[data-test-phone]");
    expect(await phone.getByLabel("Date and time of the call").inputValue()).toBe("2026-12-30T12:00");
    await phone.getByRole("button", { name: "Call", exact: true }).click();
    await expect.poll(() => phone.locator("[data-outcome]").textContent()).toContain("after-hours");
    expect(await phone.locator("[data-transcript]").textContent()).toContain("the staff year-end meeting");
    await shot("08-hours-closure-and-test-phone");

    const before = phone.getByLabel("Date and time of the call");
    await before.fill("2026-12-30T11:59");
    await phone.getByRole("button", { name: "Call", exact: true }).click();
    await expect.poll(() => phone.locator("[data-outcome]").textContent()).toContain("day-menu");
  });

  it("puts up an emergency message that the next call hears", async () => {
    await page.goto(`${line.url}/console/emergency`);
    await shot("09-emergency-normal");
    await page.getByLabel("Play a message, then carry on").check();
    await page.getByLabel("The message callers hear").fill("Because of the storm, crews are working on many power outages.");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/saved=1/);
    expect(await page.locator("main").textContent()).toContain("Because of the storm");
    await expect.poll(firstWords).toContain("Because of the storm, crews are working on many power outages.");
    await shot("10-emergency-on");
  });

  it("shows the on-call rosters", async () => {
    await page.goto(`${line.url}/console/oncall`);
    expect(await page.locator("main h2").first().textContent()).toBe("Electric");
    await expect.poll(() => page.locator("[data-problems]").textContent()).toContain("No problems found");
    await shot("11-oncall");
  });

  it("lists every change in the audit log, with the diff to expand, filterable by document", async () => {
    await page.goto(`${line.url}/console/audit`);
    const table = page.locator("main table");
    const text = await table.textContent();
    expect(text).toContain("A warmer greeting");
    expect(text).toContain("Rolled back to version 1");
    expect(text).toContain("Closed 30 December from 12:00: the staff year-end meeting");
    expect(text).toContain("Because of the storm");
    await page.getByText("Show the change").first().click();
    await shot("12-audit");
    await page.getByLabel("Document").selectOption("hours");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/document=hours/);
    expect(await page.locator("main tbody tr").count()).toBe(1);
  });

  it("signs out from the header", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/console\/sign-in$/);
    await page.goto(`${line.url}/console`);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/console/sign-in");
  });

  it("lets an admin manage accounts", async () => {
    await signInThroughForm(page, "ada", /\/console$/);
    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByLabel("Username").fill("vic");
    await page.getByLabel("viewer: reads everything").check();
    await page.getByLabel("Password").fill("a viewer's long passphrase");
    await page.getByRole("button", { name: "Add account" }).click();
    await page.waitForURL(/done=added/);
    expect(await page.locator("main table").textContent()).toContain("vic");
    await shot("13-accounts");
    await page.goto(`${line.url}/console/flows`);
    await shot("14-flows");
  });

  it("shows a viewer the flow read-only: the editor refuses typing, and there is no Publish or Roll back", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await signInThroughForm(page, "vic", /\/console$/, { password: "a viewer's long passphrase" });
    await page.goto(`${line.url}/console/flows/main`);
    await page.locator(".cm-line", { hasText: OLD_GREETING }).click();
    await page.keyboard.type("typed by a viewer");
    expect(await page.locator(".cm-content").textContent()).not.toContain("typed by a viewer");
    expect(await page.getByRole("button", { name: "Publish", exact: true }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /Roll back/ }).count()).toBe(0);
    await shot("15-viewer-flow");
  });
});
