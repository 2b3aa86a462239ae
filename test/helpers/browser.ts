/**
 * A real browser for the console's end-to-end tests: Debian's Chromium through playwright-core,
 * headless, in a profile of its own; and a supervisor signing in through the console's form.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { PASSWORD } from "./line.js";

export const CHROMIUM = "/usr/bin/chromium";
/** Where each test keeps the pages it shows, to be looked at. */
export const SCREENSHOTS = "test/e2e/screenshots";

/** Whether Chromium is installed; when it is not, says which test file is skipped and how to install it. */
export function haveChromium(file: string): boolean {
  const have = existsSync(CHROMIUM);
  if (!have) console.warn(`${file}: skipped, because ${CHROMIUM} is missing (apt-get install -y chromium; CI installs it)`);
  return have;
}

export interface BrowserOptions {
  viewport: { width: number; height: number };
  acceptDownloads?: boolean;
  /**
   * Where to collect what goes wrong in the page (a script error; a console error, which is how
   * Chromium reports what the Content-Security-Policy refused), for a test to look at. Without it a
   * script error fails the run at once and a console error is printed.
   */
  problems?: string[];
}

export interface Browser {
  context: BrowserContext;
  /** The one page, whose actions wait up to 10 s. */
  page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts Chromium with a profile of its own and one page; the screenshots folder is made too. */
export async function openBrowser(options: BrowserOptions): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const userDataDir = await mkdtemp(join(tmpdir(), "civic-browser-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: options.viewport,
    ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const { problems } = options;
  page.on("pageerror", (error) => {
    if (!problems) throw error;
    problems.push(`page error: ${error.message}`);
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (problems) problems.push(`browser console: ${message.text()}`);
    else console.error(`browser console: ${message.text()}`);
  });
  return {
    context,
    page,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Signs in through the console's sign-in form, as a person does: opens `from` first when given
 * (a page that sends someone not signed in to the form), fills the form (with the password
 * `addUser` gives unless told another), and waits until the console has taken them to `landing`.
 */
export async function signInThroughForm(page: Page, username: string, landing: RegExp, options: { from?: string; password?: string } = {}): Promise<void> {
  if (options.from) await page.goto(options.from);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(options.password ?? PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(landing);
}
