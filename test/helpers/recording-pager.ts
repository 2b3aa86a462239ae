import { randomBytes } from "node:crypto";
import type { Pager } from "../../src/domain/oncall/pager.js";

/** A pager that keeps each text and call instead of sending it, for tests that read what went out. */
export class RecordingPager implements Pager {
  readonly texts: { to: string; body: string }[] = [];
  readonly calls: { to: string; twimlUrl: string }[] = [];

  /** The texts sent to `phone` about the incident `reference` (which they name as `#reference`). */
  textsAbout(phone: string, reference: string): { to: string; body: string }[] {
    return this.texts.filter((text) => text.to === phone && text.body.includes(`#${reference}`));
  }

  async sendSms(to: string, body: string): Promise<string> {
    this.texts.push({ to, body });
    return `SM${randomBytes(16).toString("hex")}`;
  }

  async placeCall(to: string, twimlUrl: string): Promise<string> {
    this.calls.push({ to, twimlUrl });
    return `CA${randomBytes(16).toString("hex")}`;
  }
}
