import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { maskPhone } from "./domain/phone.js";

export type { Logger };

/** Fields that may hold a caller's or crew member's number; they are masked wherever they appear. */
const PHONE_FIELDS = ["from", "to", "caller", "callbackNumber", "number"];

/**
 * The process logger. Phone numbers are masked by pino's own redaction, so no call site has to
 * remember; secrets never reach a log line because nothing logs the config or request headers.
 */
export function createLogger(options: { level: string; pretty?: boolean; destination?: DestinationStream }): Logger {
  const logOptions: LoggerOptions = {
    level: options.level,
    redact: {
      // ioredis puts a failed command's arguments (a call's whole state) on its errors.
      paths: [...PHONE_FIELDS, ...PHONE_FIELDS.map((field) => `*.${field}`), "err.detail.to", "err.command.args"],
      censor: (value) => (typeof value === "string" ? maskPhone(value) : Array.isArray(value) ? "[redacted]" : value),
    },
    ...(options.pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss", ignore: "pid,hostname" } } }
      : {}),
  };
  // Asynchronous writes keep logging off the request path; pino flushes them on exit.
  return pino(logOptions, options.destination ?? (options.pretty ? undefined : pino.destination({ dest: 1, sync: false })));
}
