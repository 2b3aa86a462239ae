/**
 * Escalations a test runs step by step, never by the clock: the test roster with water's waits
 * long enough that no step comes on its own, and running an incident's next step when the test
 * says (its delayed BullMQ job promoted).
 */
import { readFileSync } from "node:fs";
import type { Job, Queue } from "bullmq";
import { parseRoster, type Roster } from "../../src/domain/oncall/roster/index.js";
import { pageJobId } from "../../src/oncall/jobs.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** test/fixtures/oncall/test-roster.yaml with water's waits ten minutes long: no step of its escalation runs unless the test runs it. */
export function rosterWithSlowWater(): Roster {
  const fixture = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
  const water = fixture.categories.water!;
  return {
    ...fixture,
    categories: { ...fixture.categories, water: { ...water, escalation: { ...water.escalation, steps: water.escalation.steps.map((step) => ({ ...step, waitMs: 10 * 60_000 })) } } },
  };
}

/** Resolves once BullMQ has finished the job on `queue`: completed, or failed with no retry left. */
export async function finished(queue: Queue, jobId: string): Promise<Job> {
  for (;;) {
    const job = await queue.getJob(jobId);
    if (job?.finishedOn) return job;
    await sleep(25);
  }
}

/** Runs step `step` of the incident's escalation now instead of after its wait, and says what it did (`paged …`, `stopped: …`). */
export async function runNextStep(queue: Queue, reference: string, step = 1): Promise<string> {
  await (await queue.getJob(pageJobId(reference, step)))!.promote();
  return (await finished(queue, pageJobId(reference, step))).returnvalue as string;
}
