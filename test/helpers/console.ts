/**
 * The supervisors' console for HTTP tests: its routes alone on a bare express app (plain http, no
 * Content-Security-Policy), over a line started with the `console` option; and signing in through
 * its form as a browser does. A test that wants the console exactly as the line serves it (its
 * headers, its records wiring) uses the line's own app, `line.url`, instead.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { consoleRoutes, type ConsoleDependencies } from "../../src/http/console/routes.js";
import { createLogger } from "../../src/logger.js";
import { PASSWORD, type TestLine } from "./line.js";

export { PASSWORD };

/**
 * What the console needs, from a line started with the `console` option: its accounts, published
 * definitions, documents, overrides and audit log, its clock, cookies that travel over plain http,
 * and nothing of the records unless `more` gives them.
 */
export function consoleOf(line: TestLine, more: Partial<ConsoleDependencies> = {}): ConsoleDependencies {
  if (!line.accounts) throw new Error("start the line with the console option to serve its console");
  return {
    accounts: line.accounts,
    definitions: line.live!,
    documents: line.documents!,
    publisher: line.publisher!,
    overrides: line.overrides,
    audit: line.audit!,
    clock: () => line.now,
    log: createLogger({ level: "silent" }),
    secureCookies: false,
    publicUrl: "http://localhost:3000",
    ...more,
  };
}

export interface ServedConsole {
  /** Where it listens: the console is under `${url}/console`. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The console's routes under /console on a bare express app, on an ephemeral port. */
export async function serveConsole(dependencies: ConsoleDependencies): Promise<ServedConsole> {
  const app = express();
  app.use("/console", consoleRoutes(dependencies));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** What the console answered: a redirect is not followed, so a test sees where it leads. */
export interface ConsoleAnswer {
  status: number;
  headers: Headers;
  body: string;
}

async function answerOf(response: Response): Promise<ConsoleAnswer> {
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** A browser's GET of `url`, signed in as `session` when given. */
export async function getPage(url: string, session?: Session): Promise<ConsoleAnswer> {
  return answerOf(await fetch(url, { redirect: "manual", headers: session ? { cookie: session.cookie } : {} }));
}

/** A form posted to `url` as a browser posts it, signed in as `session` when given (the form's CSRF token is one of `fields`). */
export async function postForm(url: string, fields: Record<string, string>, session?: Session): Promise<ConsoleAnswer> {
  return answerOf(
    await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(session ? { cookie: session.cookie } : {}) },
      body: new URLSearchParams(fields),
    }),
  );
}

/**
 * Signs in through the console's sign-in form at `base`, as a browser does (with the password
 * `addUser` gives unless told another), and reads the session's CSRF token from the overview.
 * Fails unless the form answers with the redirect a good sign-in gets.
 */
export async function signIn(base: string, username: string, password = PASSWORD): Promise<Session> {
  const response = await postForm(`${base}/console/sign-in`, { username, password, next: "/console" });
  if (response.status !== 303) throw new Error(`signing ${username} in answered ${response.status}, not 303`);
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  const overview = await getPage(`${base}/console`, { cookie, csrf: "" });
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(overview.body)![1]! };
}
