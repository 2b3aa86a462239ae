/**
 * The terminal phone against the real line: everything a resident might do on the trouble
 * line can be played from the keyboard, including unsure speech and hanging up mid-recording.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportJobId } from "../../src/adapters/bullmq/report-queue.js";
import { placeCall, type CallTranscript, type Prompt } from "../../scripts/lib/phone.js";
import { AUTH_TOKEN, at, PUBLIC_URL, TestLine } from "../helpers/line.js";

let line: TestLine;
beforeAll(async () => {
  line = await TestLine.start({ now: at("2026-12-05T02:00") });
});
afterAll(() => line.close());

/** Plays a call with scripted answers, as `npm run call -- --input ...` does. */
async function call(...answers: string[]): Promise<{ transcript: CallTranscript; prompts: Prompt[] }> {
  const prompts: Prompt[] = [];
  const transcript = await placeCall({
    baseUrl: line.url,
    publicUrl: PUBLIC_URL,
    authToken: AUTH_TOKEN,
    from: "+14035550187",
    to: "+14035550311",
    answer: async (prompt) => {
      prompts.push(prompt);
      const next = answers.shift();
      return next === undefined || next === "hangup" ? null : next;
    },
  });
  return { transcript, prompts };
}

describe("the terminal phone on the trouble line", () => {
  describe("speaking with a confidence, then hanging up mid-recording", () => {
    let result: Awaited<ReturnType<typeof call>>;
    beforeAll(async () => {
      result = await call("2", "fifth and something ~0.3", "fifth and the other ~0.25", "Fifth Avenue and 13th Street / hangup");
    });

    it("posts the words with the confidence typed after ~", () => {
      const speech = result.transcript.requests.filter((request) => request.params.SpeechResult);
      expect(speech.map((request) => [request.params.SpeechResult, request.params.Confidence])).toEqual([
        ["fifth and something", "0.3"],
        ["fifth and the other", "0.25"],
      ]);
    });

    it("posts the recording as Twilio does when the caller hangs up while recording", () => {
      const recording = result.transcript.requests.find((request) => request.params.RecordingUrl);
      expect(recording?.params.Digits).toBe("hangup");
      expect(result.transcript.end.reason).toBe("caller-hung-up");
    });

    it("leaves a report on its way to the crew", async () => {
      const queue = line.dispatchQueue();
      const job = await queue.getJob(reportJobId(result.transcript.callSid));
      await queue.close();
      expect(job?.data).toMatchObject({ category: "water", location: "fifth and the other" });
      expect(job?.data.recordingUrl).toMatch(/^https:\/\/api\.twilio\.com\//);
    });
  });

  describe("pressing star at a menu", () => {
    it("hears the choices again", async () => {
      const { transcript } = await call("*", "hangup");
      const menuLines = transcript.heard.filter((line) => line.includes("For a power outage, press 1"));
      expect(menuLines).toHaveLength(2);
    });
  });
});
