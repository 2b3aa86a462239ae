import { createServer, type Server } from "node:http";
import { performance } from "node:perf_hooks";
import express, { type Request, type RequestHandler } from "express";
import { sameSecret } from "../accounts/secrets.js";
import type { LineMetrics } from "../operations/metrics.js";

export interface MetricsEndpoint {
  metrics: LineMetrics;
  /** The bearer token `/metrics` asks for (METRICS_TOKEN); open to anyone when unset. */
  token?: string | undefined;
}

/** The route label of a request no route answered (a refused signature, an unknown path). */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * Times each request it sees into `civic_webhook_duration_seconds`, labelled with the express
 * route it asked for (`/twilio/voice/step`, whether it was answered or refused), never the URL:
 * query strings and references would make a new series per call. Mount it in front of the
 * Twilio routes.
 */
export function timeWebhooks(metrics: LineMetrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // "close" comes when the answer is sent, and also when Twilio gave up before it was.
    res.once("close", () => metrics.webhookAnswered(routeOf(req), res.statusCode, (performance.now() - started) / 1_000));
    next();
  };
}

/** The path of the webhook route the request asked for: each is an app route with its full path. */
function routeOf(req: Request): string {
  const route = req.route as { path?: unknown; methods?: Record<string, boolean> } | undefined;
  const path = route?.path;
  // A HEAD or GET matched against a POST-only webhook goes on to the catch-all: not that webhook's.
  if (typeof path !== "string" || !route?.methods?.[req.method.toLowerCase()]) return UNMATCHED_ROUTE;
  return path;
}

/**
 * `GET /metrics` in Prometheus' text format. With a token, only `Authorization: Bearer <token>`
 * gets it (compared in constant time); anything else is 401 with `WWW-Authenticate`.
 */
export function metricsRoutes(endpoint: MetricsEndpoint): express.Router {
  const { metrics, token } = endpoint;
  const router = express.Router();
  router.get("/metrics", async (req, res) => {
    if (token !== undefined && !bearerIs(req, token)) {
      res
        .status(401)
        .set("WWW-Authenticate", 'Bearer realm="metrics"')
        .set("cache-control", "no-store")
        .type("text/plain")
        .send("send METRICS_TOKEN as Authorization: Bearer <token>\n");
      return;
    }
    const body = await metrics.registry.metrics();
    res.status(200).set("content-type", metrics.registry.contentType).set("cache-control", "no-store").send(body);
  });
  return router;
}

function bearerIs(req: Request, token: string): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.get("authorization") ?? "");
  // Compared even when there is none, so a missing header takes as long as a wrong one.
  return sameSecret(match?.[1] ?? "", token) && match !== null;
}

/** A `/metrics` server of its own, for a role without the web app (`npm run start:worker`). */
export interface MetricsServer {
  server: Server;
  /** The port it listens on (the one asked for, or the one given for 0). */
  port: number;
  stop(): Promise<void>;
}

/** Serves only `GET /metrics` (404 for anything else) on `port`, at `host` (every interface when unset). */
export async function startMetricsServer(endpoint: MetricsEndpoint & { port: number; host?: string | undefined }): Promise<MetricsServer> {
  const app = express();
  app.disable("x-powered-by");
  app.use(metricsRoutes(endpoint));
  app.use((_req, res) => {
    res.status(404).type("text/plain").send("Not found\n");
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(endpoint.port, endpoint.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    server,
    port: typeof address === "object" && address ? address.port : endpoint.port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
