/**
 * The Departments page in a real browser (Debian's Chromium through playwright-core), on the real
 * line with the real delivery queue and stand-in departments' systems (one down, one refusing):
 * what a supervisor sees first, the departments that need someone, the services without a
 * department, and the editor under the page's CSP. Kept as screenshots in test/e2e/screenshots/
 * to be looked at.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, startDepartmentsConsole, type DepartmentsConsole } from "../helpers/departments-console.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = "test/e2e/screenshots";

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/e2e/departments.test.ts: skipped, because ${CHROMIUM} is missing (apt-get install -y chromium; CI installs it)`);

describe.skipIf(!haveChromium)("the Departments page in a browser", { timeout: 60_000 }, () => {
  let site: DepartmentsConsole;
  let browser: BrowserContext;
  let userDataDir: string;
  let page: Page;

  beforeAll(async () => {
    site = await startDepartmentsConsole("pglite");
    await mkdir(SCREENSHOTS, { recursive: true });
    userDataDir = await mkdtemp(join(tmpdir(), "civic-departments-"));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      viewport: { width: 1440, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(10_000);
    // Anything the page's script throws, or the CSP refuses, fails the suite.
    page.on("pageerror", (error) => {
      throw error;
    });
    page.on("console", (message) => {
      if (message.type() === "error") console.error(`browser console: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  const signIn = async (username: string) => {
    await page.goto(`${site.base}/console/sign-in`);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/console$/);
  };

  it("opens from the navigation, with the departments that need someone said first", async () => {
    await signIn("sam");
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Departments" }).click();
    await page.waitForURL(/\/console\/departments$/);
    const alert = page.getByRole("alert");
    expect(await alert.textContent()).toContain("Requests are not reaching 2 departments: Waste and Recycling, Bylaw and Parking.");
    // The alert is the first thing under the title, above the fold.
    const box = (await alert.boundingBox())!;
    expect(box.y + box.height).toBeLessThan(400);
  });

  it("lists the departments with their services and deliveries, and the services without a department", async () => {
    const rows = page.locator("table.departments tbody tr");
    expect(await rows.count()).toBe(7);
    expect(await page.locator("table.departments tbody tr.gap").count()).toBe(2);
    expect(await page.getByRole("row", { name: /Bylaw and Parking/ }).textContent()).toContain("Its system is not taking requests.");
    expect(await page.locator("#unhandled-title").textContent()).toBe("Services without a department");
    await expect.poll(() => page.locator(".cm-content").count()).toBe(1);
    await expect.poll(() => page.locator("[data-problems]").textContent()).toContain("general");
    await page.screenshot({ path: `${SCREENSHOTS}/30-departments.png`, fullPage: true });
    await page.screenshot({ path: `${SCREENSHOTS}/30b-departments-window.png` });
  });

  it("fits a laptop's screen", async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.reload();
    const table = (await page.locator("table.departments").boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(1024);
    await page.screenshot({ path: `${SCREENSHOTS}/30c-departments-1024.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 1000 });
  });

  it("shows a viewer the list read-only", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn("vera");
    await page.goto(`${site.base}/console/departments`);
    expect(await page.getByRole("button", { name: "Publish", exact: true }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /Roll back/ }).count()).toBe(0);
    expect(await page.locator("#departments-editor-title").textContent()).toBe("Read the list of departments");
  });
});
