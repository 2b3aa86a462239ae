import express, { type ErrorRequestHandler } from "express";
import { requireTwilioSignature } from "../adapters/twilio/signature.js";
import helmet from "helmet";
import { apiRoutes } from "./api-routes.js";
import { consoleRoutes, type ConsoleDependencies } from "./console/routes.js";
import { healthRoutes, type HealthDependencies } from "./health-routes.js";
import { metricsRoutes, timeWebhooks, type MetricsEndpoint } from "./metrics-routes.js";
import { open311Routes, OPEN311_PATH, type Open311Dependencies } from "./open311-routes.js";
import { smsWebhooks, voicePageWebhooks, type OncallRouteDependencies } from "./oncall-routes.js";
import { voiceWebhooks, type VoiceDependencies } from "./voice-routes.js";

export interface AppDependencies extends VoiceDependencies, OncallRouteDependencies, HealthDependencies {
  authToken: string;
  /** express's `trust proxy`: which proxies to believe about the client's address (TRUST_PROXY). */
  trustProxy?: string | number | undefined;
  /** The supervisors' API (and console); absent, only the Twilio routes and health are served. */
  api?: Omit<ConsoleDependencies, "definitions" | "log" | "clock" | "secureCookies" | "publicUrl">;
  /** Operators' metrics: `GET /metrics`, the webhooks timed and calls counted; absent, none. */
  metrics?: MetricsEndpoint;
  /** Open311 GeoReport v2 under `/open311/v2` (the City's web form, departments' systems); absent, not served. */
  open311?: Open311Dependencies | undefined;
}

/** Assembles the web app: every Twilio route behind the signature check, then health and the rest. */
export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Twilio never revalidates an answer; hashing every TwiML body for an ETag is wasted work.
  app.set("etag", false);
  // Behind a load balancer, the client's own address (sign-in limits count per address).
  if (deps.trustProxy !== undefined) app.set("trust proxy", deps.trustProxy);

  // What every Twilio request passes first. Timed first, so requests refused below (a bad
  // signature, a body too big) are timed too. Twilio posts a few dozen flat form fields: the
  // limits leave room for any speech result Twilio could send (20 KB of non-Latin speech is
  // ~180 KB once form-encoded) and extra fields Twilio may add; only a body no Twilio request could
  // be is refused, unread and unsigned (413).
  const twilioChain = [
    ...(deps.metrics ? [timeWebhooks(deps.metrics.metrics)] : []),
    express.urlencoded({ extended: false, limit: "1mb", parameterLimit: 1000 }),
    requireTwilioSignature({ authToken: deps.authToken, publicUrl: deps.publicUrl, log: deps.log }),
  ];
  // Each webhook is a route of the app's own, with the chain in front: through nested routers,
  // the new-call webhook answered about 7% fewer calls a second (README, "A faster webhook").
  const webhooks = {
    ...voiceWebhooks(deps.metrics ? { ...deps, observeCalls: deps.metrics.metrics } : deps),
    ...smsWebhooks(deps),
    ...voicePageWebhooks(deps),
  };
  for (const [path, handler] of Object.entries(webhooks)) app.post(path, ...twilioChain, handler);
  // Anything else under /twilio is refused as the webhooks are when unsigned, and not found when signed.
  app.use("/twilio", ...twilioChain);

  app.use(healthRoutes(deps));
  if (deps.metrics) app.use(metricsRoutes(deps.metrics));

  if (deps.api) {
    // Strict headers for what people's browsers load: no inline scripts, nothing from elsewhere.
    // Over plain http (development, a line behind a TLS-terminating proxy that says http), asking
    // browsers to upgrade requests or remember https would break the console.
    const https = deps.publicUrl.startsWith("https:");
    const secure = helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", "data:"],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          upgradeInsecureRequests: https ? [] : null,
        },
      },
      strictTransportSecurity: https,
      // Browsers then send the console's own Origin with its forms (no-referrer would send "null"),
      // which is how a sign-in posted from another site is told apart.
      referrerPolicy: { policy: "same-origin" },
    });
    app.use("/api", secure, apiRoutes({ ...deps.api, definitions: deps.definitions, clock: deps.clock, log: deps.log }));
    app.use("/console", secure, consoleRoutes({ ...deps.api, definitions: deps.definitions, clock: deps.clock, log: deps.log, secureCookies: https, publicUrl: deps.publicUrl }));
  }

  if (deps.open311) app.use(OPEN311_PATH, open311Routes(deps.open311));

  app.use((_req, res) => {
    res.status(404).type("text/plain").send("Not found\n");
  });

  const onError: ErrorRequestHandler = (error: { status?: number; type?: string }, req, res, _next) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    deps.log.warn({ err: error, path: req.path, status }, "request failed");
    res.status(status).type("text/plain").send(status === 500 ? "Internal error\n" : `Bad request (${error.type ?? status})\n`);
  };
  app.use(onError);
  return app;
}
