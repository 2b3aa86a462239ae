import type { RequestHandler } from "express";

/**
 * A group of Twilio webhooks, by their full path (`/twilio/voice/step`). The app mounts each as a
 * route of its own, behind the signature check (see `createApp`): a webhook passes one router on
 * its way, not one per path segment.
 */
export type Webhooks = Readonly<Record<string, RequestHandler>>;
