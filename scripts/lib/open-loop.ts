/**
 * An open-loop load: requests sent at a steady rate whatever the server's answers, each timed
 * from when it was due, not from when it went out. A closed loop (autocannon's connections)
 * waits for an answer before the next request, so a slow server is asked less and its tail
 * hides (coordinated omission); here a stall shows in every request that was due during it.
 */
import { Agent, request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";

export interface OpenLoopOptions {
  url: string;
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** The next request's body and headers. */
  next: () => { body: string; headers: Record<string, string> };
}

export interface OpenLoopResult {
  sent: number;
  answered: number;
  /** Answers other than 2xx. */
  non2xx: number;
  /** Requests that got no whole answer (a socket error, a connection cut, or no answer within 10 s). */
  errors: number;
  /** The failed requests by what cut them (`ECONNRESET`, `no answer within 10 s`, ...). */
  failures: Record<string, number>;
  /** Milliseconds from when each request was due to its answer, or to its failure: a failure is never left out of the tail. */
  p50: number;
  p99: number;
  max: number;
  /** Every request's milliseconds, as above, shortest first: several runs' can be put together with {@link latencySummary}. */
  latencies: number[];
}

/** The `p`th percentile of sorted values (nearest rank). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** p50, p99 and the longest of some latencies (in any order), in ms to a tenth. */
export function latencySummary(latencies: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0) };
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(options.url);
  // Enough sockets that the load never waits for one: a request waiting for a socket would be the loop closing again.
  // Idle sockets are closed after 4 s, before the server's keep-alive timeout (Node's 5 s) closes
  // them: a request sent on a socket the server is closing at that instant is cut, which says
  // nothing of the server (a load balancer keeps its idle timeout under the backend's likewise).
  const agent = new Agent({ keepAlive: true, maxSockets: 1_024, timeout: 4_000 });
  const total = Math.round(options.rate * options.seconds);
  const interval = 1_000 / options.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  /** What cut each failed request, by its message: a count alone says nothing of why. */
  const failures: Record<string, number> = {};
  let sent = 0;
  const pending = new Set<Promise<void>>();

  const send = (due: number) => {
    const { body, headers } = options.next();
    const done = new Promise<void>((resolve) => {
      let settled = false;
      /** Counted once, however the request ends: answered whole, or failed. */
      const settle = (outcome: "answered" | "failed", status?: number, why = "the connection closed before the answer was whole") => {
        if (settled) return;
        settled = true;
        latencies.push(performance.now() - due);
        if (outcome === "failed") {
          errors++;
          failures[why] = (failures[why] ?? 0) + 1;
        }
        else if (status === undefined || status < 200 || status >= 300) non2xx++;
        resolve();
      };
      const req = httpRequest(
        { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) }, timeout: 10_000 },
        (res) => {
          res.resume();
          res.once("end", () => settle("answered", res.statusCode));
          // A connection cut after the headers ends the answer with "close" and no "end".
          res.once("close", () => settle(res.complete ? "answered" : "failed", res.statusCode));
        },
      );
      req.once("timeout", () => req.destroy(new Error("no answer within 10 s")));
      req.once("error", (error: NodeJS.ErrnoException) => settle("failed", undefined, error.code ?? error.message));
      req.once("close", () => settle("failed"));
      req.end(body);
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Every request due by now goes out now, timed from its own due time.
      while (sent < total && start + sent * interval <= now) send(start + sent++ * interval);
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(interval, start + sent * interval - performance.now())));
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { sent, answered: latencies.length - errors, non2xx, errors, failures, ...latencySummary(latencies), latencies };
}
