/**
 * Who a console or API request comes from, and whether they may make it: an API token
 * (`Authorization: Bearer ...`) or the console's session cookie, roles, and CSRF tokens for what
 * a browser sends with the cookie.
 *
 * A router for the API reads:
 *
 *   api.use(authenticate({ accounts }));
 *   api.use(requireRole("viewer"));
 *   api.use(express.json({ limit: "256kb" }));
 *   api.use(requireCsrf());
 *   api.put("/flows/:name", requireRole("supervisor"), publishFlow);
 *
 * and a console page `requireRole("viewer", { signInPath: "/console/sign-in" })`, which sends
 * people who are not signed in to the sign-in page instead of answering 401.
 */
import type { Request, RequestHandler, Response } from "express";
import { roleAtLeast, type Role } from "../domain/accounts.js";
import type { AccountService } from "../accounts/accounts.js";
import { sameSecret } from "../accounts/secrets.js";

/** The console's session cookie. */
export const SESSION_COOKIE = "civic_session";

/** The header a state-changing request made with the session cookie carries its CSRF token in. */
export const CSRF_HEADER = "X-CSRF-Token";

/** The form field that carries it instead, for a plain HTML form. */
export const CSRF_FIELD = "_csrf";

/** Who the request comes from, on `res.locals.user` once `authenticate` has found them. */
export interface AuthenticatedUser {
  username: string;
  role: Role;
  via: "token" | "session";
  /** The session's CSRF token, for the page to put in its forms and requests; sessions only. */
  csrfToken?: string;
  /** The session's id, for signing out; sessions only. */
  sessionId?: string;
}

export interface AuthDependencies {
  accounts: Pick<AccountService, "authenticateToken" | "sessionFor">;
}

/** How a guard answers a request it turns away. */
export interface GuardOptions {
  /**
   * For console pages: someone not signed in is sent here (303, with `?next=` the page they
   * asked for) instead of a 401 JSON answer, and a refusal is plain text rather than JSON.
   */
  signInPath?: string;
}

/** The user `authenticate` found for this request, if any. */
export function signedInUser(res: Response): AuthenticatedUser | undefined {
  return res.locals["user"] as AuthenticatedUser | undefined;
}

/**
 * Finds who the request comes from and puts them on `res.locals.user`; refuses nothing itself
 * (`requireRole` does). A bearer token is used when one is sent, even a wrong one, so that a
 * script with a revoked token is told so instead of acting as whoever last used the browser.
 * A session is touched, which restarts its idle time.
 */
export function authenticate(deps: AuthDependencies): RequestHandler {
  return async (req, res, next) => {
    const bearer = bearerToken(req);
    if (bearer !== undefined) {
      const user = await deps.accounts.authenticateToken(bearer);
      if (user) res.locals["user"] = { ...user, via: "token" } satisfies AuthenticatedUser;
      return next();
    }
    const sessionId = sessionIdFrom(req);
    if (sessionId !== undefined) {
      const found = await deps.accounts.sessionFor(sessionId);
      if (found) {
        res.locals["user"] = { ...found.user, via: "session", csrfToken: found.session.csrfToken, sessionId } satisfies AuthenticatedUser;
      }
    }
    next();
  };
}

/**
 * Lets through people whose role is `role` or above. Without credentials: 401
 * `{ error }` (or, with `signInPath`, a redirect to the sign-in page); with a lesser role: 403.
 */
export function requireRole(role: Role, options: GuardOptions = {}): RequestHandler {
  return (req, res, next) => {
    const user = signedInUser(res);
    if (!user) {
      if (options.signInPath !== undefined) {
        res.redirect(303, `${options.signInPath}?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      res
        .status(401)
        .set("WWW-Authenticate", 'Bearer realm="civic-line"')
        .json({ error: "sign in first, or send an API token as Authorization: Bearer <token>" });
      return;
    }
    if (!roleAtLeast(user.role, role)) {
      refuse(res, options, 403, `${user.username} is a ${user.role}: this needs the ${role} role or above`);
      return;
    }
    next();
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses (403) a state-changing request made with the session cookie unless it carries the
 * session's CSRF token, in the `X-CSRF-Token` header or the `_csrf` form field (parse the body
 * before this runs for the field to be seen). Requests with an API token need none: a page on
 * another site cannot make a browser send one. Put it after `authenticate`.
 */
export function requireCsrf(options: GuardOptions = {}): RequestHandler {
  return (req, res, next) => {
    const user = signedInUser(res);
    if (SAFE_METHODS.has(req.method) || user?.via !== "session" || user.csrfToken === undefined) return next();
    const sent = req.get(CSRF_HEADER) ?? formField(req, CSRF_FIELD);
    if (sent === undefined || sent === "") {
      refuse(res, options, 403, `the CSRF token is missing: send it in the ${CSRF_HEADER} header or the ${CSRF_FIELD} field (reload the page if this persists)`);
      return;
    }
    if (!sameSecret(sent, user.csrfToken)) {
      refuse(res, options, 403, "the CSRF token is not this session's: reload the page and try again");
      return;
    }
    next();
  };
}

/** Where cookies may go: `Secure` whenever the line is served over https (`PUBLIC_URL`). */
export interface CookieOptions {
  secureCookies: boolean;
}

/**
 * Sets the session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it), Path=/, and Secure over https. It has no Max-Age: the session's own limits in
 * Redis decide when it ends, and the browser forgets it when closed.
 */
export function setSessionCookie(res: Response, sessionId: string, options: CookieOptions): void {
  res.cookie(SESSION_COOKIE, sessionId, { httpOnly: true, sameSite: "strict", path: "/", secure: options.secureCookies });
}

/** Tells the browser to forget the session cookie (signing out). */
export function clearSessionCookie(res: Response, options: CookieOptions): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "strict", path: "/", secure: options.secureCookies });
}

/** The session id the request's cookie carries, if any. */
export function sessionIdFrom(req: Request): string | undefined {
  return parseCookies(req.get("cookie"))[SESSION_COOKIE];
}

/**
 * The cookies of a `Cookie` header, by name; the first of a name wins, as browsers send the most
 * specific first. A value that is not valid percent-encoding is taken as it is.
 *
 * @example parseCookies("a=1; civic_session=abc") // { a: "1", civic_session: "abc" }
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!header) return cookies;
  for (const pair of header.split(";")) {
    const equals = pair.indexOf("=");
    if (equals < 0) continue;
    const name = pair.slice(0, equals).trim();
    let value = pair.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name === "" || name in cookies) continue;
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

/**
 * A `next` parameter fit to redirect to after sign-in: a path on this site, or `fallback`. A
 * full URL or `//host` (however disguised) would let a link send someone who just signed in to another site.
 */
export function localPath(next: unknown, fallback = "/console"): string {
  if (typeof next !== "string" || !next.startsWith("/")) return fallback;
  // Browsers drop tabs and newlines in URLs and read a backslash as a slash: "/\t/evil.example" is "//evil.example".
  if (/[\u0000-\u001f\u007f\\]/.test(next) || next.startsWith("//")) return fallback;
  return next;
}

function bearerToken(req: Request): string | undefined {
  const header = req.get("authorization");
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  // Any other Authorization (Basic, a malformed Bearer) is a credential that does not sign in.
  return match ? match[1]! : "";
}

function formField(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

function refuse(res: Response, options: GuardOptions, status: number, message: string): void {
  if (options.signInPath !== undefined) res.status(status).type("text/plain").send(`${message}\n`);
  else res.status(status).json({ error: message });
}
