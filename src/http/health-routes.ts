import express from "express";
import type { Redis } from "ioredis";
import type { PagerMode } from "../config/env.js";
import { describePager, type LineStatus } from "../operations/line-status.js";

export interface HealthDependencies {
  /** The web role's Redis connection, or connections: `/readyz` pings each. */
  redis: Redis | readonly Redis[];
  /** The pager this line's configuration chose; `/readyz` says it plainly. */
  pager?: PagerMode | undefined;
  /** True once the process is stopping: `/readyz` answers 503, so that a load balancer sends new calls elsewhere. */
  stopping?: (() => boolean) | undefined;
  /** Reads the line's status for `/status`; without it there is no `/status`. */
  status?: (() => Promise<LineStatus>) | undefined;
}

/**
 * Health for load balancers and monitors. None of these is a Twilio route: they carry no
 * signature, so they answer nothing a stranger should not see (no secret, no phone number).
 *
 * - `GET /healthz`: the process is up.
 * - `GET /readyz`: Redis answers (503 when not, or when the process is stopping), and which
 *   pager is in use. A line with the console pager stays ready (callers are still better served
 *   than by no line at all) but says that pages are not being sent.
 * - `GET /status`: for monitors and operators: Redis, the worker's heartbeat, the oldest due
 *   dispatch job's delay and the pager; 503 when the worker is missing or behind, or Redis is down.
 */
export function healthRoutes(deps: HealthDependencies): express.Router {
  const router = express.Router();
  const pager = deps.pager ? { pager: describePager(deps.pager) } : {};

  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/readyz", async (_req, res) => {
    if (deps.stopping?.()) return void res.status(503).json({ status: "stopping", ...pager });
    try {
      await Promise.all([deps.redis].flat().map((connection) => connection.ping()));
      res.json({ status: "ready", redis: "ok", ...pager });
    } catch {
      res.status(503).json({ status: "unavailable", redis: "not answering", ...pager });
    }
  });

  const status = deps.status;
  if (status) {
    router.get("/status", async (_req, res) => {
      const line = await status();
      res.status(line.status === "ok" ? 200 : 503).set("cache-control", "no-store").json(line);
    });
  }
  return router;
}
