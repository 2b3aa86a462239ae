/**
 * GeoReport v2's error answer: a list of `{ code, description }`, where `code` is the HTTP status
 * (the spec's own examples use it so) and `description` says what to change.
 */
import type { z } from "zod";
import { formatPath } from "../validation.js";

/** One entry of an error answer, as the spec shapes it. */
export interface GeoReportError {
  code: number;
  description: string;
}

/**
 * A request the Open311 endpoint cannot serve, with the HTTP status it is answered with:
 * 400 bad input, 403 a missing or wrong `api_key`, 404 nothing there.
 */
export class Open311Error extends Error {
  override readonly name: string = "Open311Error";
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 415 | 500 | 503,
    message: string,
  ) {
    super(message);
  }

  /** The spec's body for this error. */
  toGeoReport(): GeoReportError[] {
    return [{ code: this.status, description: this.message }];
  }
}

/** Every problem zod found, one spec error each, named by the field: `lat: must be a number from -90 to 90`. */
export function validationErrors(error: z.ZodError): GeoReportError[] {
  return error.issues.map((issue) => ({ code: 400, description: issue.path.length > 0 ? `${formatPath(issue.path)}: ${issue.message}` : issue.message }));
}

/** Bad input, with every problem said: the spec's list has room for more than one. */
export class Open311ValidationError extends Open311Error {
  override readonly name = "Open311ValidationError";
  readonly errors: GeoReportError[];
  constructor(error: z.ZodError) {
    const errors = validationErrors(error);
    super(400, errors.map((entry) => entry.description).join("; "));
    this.errors = errors;
  }

  override toGeoReport(): GeoReportError[] {
    return this.errors;
  }
}
