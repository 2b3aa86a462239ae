/**
 * Requests the console's pages make to the JSON API (and the console's own JSON routes), with the
 * session's CSRF token from the page, and the answer's `error` turned into words to show.
 */

/** A request the server refused; `body` is its JSON answer. */
export class RequestError extends Error {
  override readonly name = "RequestError";
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** Sends JSON and reads JSON; a 4xx or 5xx answer is thrown as a `RequestError` with the server's words. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { accept: "application/json", "x-csrf-token": csrfToken(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new RequestError(0, "The console could not reach the server. Check your connection, then try again.", {});
  }
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { error: text.trim() };
  }
  if (!response.ok) {
    const message = typeof json["error"] === "string" ? json["error"] : `The server answered ${response.status}.`;
    throw new RequestError(response.status, response.status === 401 ? "You have been signed out. Reload the page and sign in again." : message, json);
  }
  return json as T;
}

/** A problem the checks found, as the API gives it. */
export interface Problem {
  line: number | null;
  path: string;
  message: string;
  hint?: string;
  document: string;
}

export interface Check {
  ok: boolean;
  errors: Problem[];
  warnings: Problem[];
}
