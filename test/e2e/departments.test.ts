/**
 * The Departments page in a real browser (Debian's Chromium through playwright-core), on the real
 * line with the real delivery queue and stand-in departments' systems (one down, one refusing):
 * what a supervisor sees first, the departments that need someone, the services without a
 * department, and the editor under the page's CSP. Kept as screenshots in test/e2e/screenshots/
 * to be looked at.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveChromium, openBrowser, SCREENSHOTS, signInThroughForm, type Browser } from "../helpers/browser.js";
import { startDepartmentsConsole, type DepartmentsConsole } from "../helpers/departments-console.js";

const haveBrowser = haveChromium("test/e2e/departments.test.ts");

describe.skipIf(!haveBrowser)("the Departments page in a browser", { timeout: 60_000 }, () => {
  let site: DepartmentsConsole;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    site = await startDepartmentsConsole("pglite");
    // Anything the page's script throws, or the CSP refuses, fails the suite.
    browser = await openBrowser({ viewport: { width: 1440, height: 1000 } });
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  const signIn = (username: string) => signInThroughForm(page, username, /\/console$/, { from: `${site.base}/console/sign-in` });

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
