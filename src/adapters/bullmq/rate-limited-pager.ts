import { setMaxListeners, type EventEmitter } from "node:events";
import { QueueEvents, type ConnectionOptions, type Job, type Queue, type QueueEventsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { PagerError, PagerStoppedError, SendWithdrawnError, type Pager, type SendOptions } from "../../domain/oncall/pager.js";
import { maskPhone } from "../../domain/phone.js";
import { createSendQueue, SEND_PRIORITY, SendOutcome, type CallJob, type Sender, type SendQueueNames, type SmsJob } from "./send-queues.js";

/**
 * How long a page job waits for its send before it gives up this attempt: long enough for a
 * storm's backlog at Twilio's default rates (ten minutes is 600 sends of a kind). A retry of the
 * page job waits for the same send again, so giving up sends nothing twice.
 */
export const DEFAULT_SEND_WAIT_MS = 10 * 60_000;

/** One send queue as the side that adds sends sees it: the queue, and the events that say when each send is done. */
export interface SendQueue {
  queue: Queue;
  events: QueueEvents;
}

/** Both send queues of this process, and how to let go of them. */
export interface SendQueues {
  sms: SendQueue;
  calls: SendQueue;
  /** Aborted when the queues are let go: every wait still pending ends then. */
  closing: AbortSignal;
  /**
   * Ends every wait still pending (BullMQ's own wait does not end when its queue closes: it would
   * hold a stopping worker for the whole wait), then closes the queues: the sends stay queued for
   * whoever sends them.
   */
  close(): Promise<void>;
}

/**
 * Opens the send queues for adding sends and waiting for them: the queues on `connection`, and one
 * BullMQ QueueEvents per queue for the whole process, each on a connection of its own (it blocks
 * reading the queue's events).
 */
export function openSendQueues(connection: Redis, options: SendQueueNames = {}): SendQueues {
  const open = (kind: "sms" | "calls") => {
    const queue = createSendQueue(connection, kind, options);
    // Each send being waited for listens for its queue's closing (BullMQ's waitUntilFinished): a
    // storm has hundreds at once, which is no leak.
    queue.setMaxListeners(0);
    const blocking = connection.duplicate();
    // Its failures reach the QueueEvents' own "error" listeners; without one here ioredis prints each.
    blocking.on("error", () => {});
    const events = new QueueEvents(queue.name, { connection: blocking as ConnectionOptions, autorun: false, ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}) });
    void readFromNow(connection, queue, events);
    return { queue, events, blocking };
  };
  const sms = open("sms");
  const calls = open("calls");
  const letGo = new AbortController();
  // Each page waiting for its send listens on it (and stops listening once its wait ends): as many
  // as the worker runs page jobs at once, more than Node's default warning threshold of ten.
  setMaxListeners(0, letGo.signal);
  return {
    sms,
    calls,
    closing: letGo.signal,
    close: async () => {
      letGo.abort();
      // BullMQ's own waits end on their queue's "closing", which a Queue never says: said here,
      // so they drop their listeners and timers too.
      for (const { queue } of [sms, calls]) (queue as unknown as EventEmitter).emit("closing", "this worker is stopping");
      await Promise.all([sms.queue.close(), calls.queue.close()]);
      for (const { events, blocking } of [sms, calls]) {
        await events.close();
        blocking.disconnect();
      }
    },
  };
}

/**
 * Starts `events` reading its queue's events from the newest one there now. From "$" (BullMQ's
 * default) it would read only those after its first read, which it issues a moment after it
 * starts: a send that finished in between was never heard (BullMQ issue 2874), and its page
 * waited its whole wait (ten minutes) for it. The newest event is Redis's own: no clock of this
 * machine's is trusted to name it.
 */
async function readFromNow(connection: Redis, queue: Queue, events: QueueEvents): Promise<void> {
  try {
    const [newest] = await connection.xrevrange(queue.keys.events!, "+", "-", "COUNT", 1);
    // Read when the events start: set now, before they do.
    (events.opts as QueueEventsOptions).lastEventId = newest?.[0] ?? "0-0";
  } catch (error) {
    // Let go of, or Redis gone, before it answered: from "$", as BullMQ would.
    if (!events.closing) told(events, error);
  }
  if (events.closing) return;
  await events.run().catch((error: unknown) => told(events, error));
}

/** Tells the events' "error" listeners of `error`, when there are any (an EventEmitter with none would throw it). */
function told(events: QueueEvents, error: unknown): void {
  if (events.listenerCount("error") > 0) events.emit("error", error instanceof Error ? error : new Error(String(error)));
}

export interface RateLimitedPagerOptions {
  /** Which of the line's numbers its SMS come from. @defaultValue `"crew"` */
  sender?: Sender;
  /** @defaultValue {@link DEFAULT_SEND_WAIT_MS} */
  waitMs?: number;
}

/** A send job id from a send's key: BullMQ ids may not contain `:` (or be integers), so the key keeps only safe characters. */
export function sendJobId(key: string): string {
  return `send-${key.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/**
 * The pager the worker's dispatcher pages through: each SMS or call becomes a job on its send
 * queue, where Twilio's sending limits are kept across every worker (see `startSendWorkers`),
 * with a BullMQ priority from the send's {@link SendOptions.priority}, and the page waits for it.
 * The outcome comes back as the real pager gave it: a sid, or the same {@link PagerError}; a
 * send marked `droppable` that the send workers dropped at its turn (its incident was taken
 * meanwhile) rejects with {@link SendWithdrawnError}.
 *
 * A send with a `key` happens once: asked again, it answers with the sid of the send that went
 * out (a page job that died after its send, before its mark, pages nobody twice), waits for one
 * still queued or going out, and sends again only when the last try failed. Once as far as its
 * send job knows: a send Twilio took just before the send worker was killed outright, or whose
 * answer was lost, is made again (see startSendWorkers).
 *
 * @example
 * const queues = openSendQueues(redis);
 * const pager = new RateLimitedPager(queues);
 * await pager.sendSms("+14035550123", "Water main break at 5th Ave S", { priority: "first-page", key: "page-10421-0-sms" });
 */
export class RateLimitedPager implements Pager {
  readonly #queues: SendQueues;
  readonly #sender: Sender;
  readonly #waitMs: number;

  constructor(queues: SendQueues, options: RateLimitedPagerOptions = {}) {
    this.#queues = queues;
    this.#sender = options.sender ?? "crew";
    this.#waitMs = options.waitMs ?? DEFAULT_SEND_WAIT_MS;
  }

  sendSms(to: string, body: string, options: SendOptions = {}): Promise<string> {
    return this.#send<SmsJob>(this.#queues.sms, "SMS", { to, body, sender: this.#sender, ...droppableOf(options) }, options);
  }

  placeCall(to: string, twimlUrl: string, options: SendOptions = {}): Promise<string> {
    return this.#send<CallJob>(this.#queues.calls, "call", { to, url: twimlUrl, ...droppableOf(options) }, options);
  }

  async #send<Data extends SmsJob | CallJob>({ queue, events }: SendQueue, what: string, data: Data, options: SendOptions): Promise<string> {
    const jobId = options.key === undefined ? undefined : sendJobId(options.key);
    const earlier = jobId === undefined ? undefined : await this.#earlier(queue, jobId);
    if (typeof earlier === "string") return earlier;
    const description = `${what} to ${maskPhone(data.to)}`;
    let job: Job;
    try {
      // An id already taken (a send added since we looked) gives back that job: still one send.
      job = earlier ?? (await queue.add(what, data, { priority: SEND_PRIORITY[options.priority ?? "update"], ...(jobId ? { jobId } : {}) }));
    } catch (error) {
      throw new PagerError("temporary", `${description} could not be queued: ${messageOf(error)}`, { to: data.to });
    }
    let result: unknown;
    try {
      result = await untilLetGo(job.waitUntilFinished(events, this.#waitMs), this.#queues.closing);
    } catch (error) {
      if (this.#queues.closing.aborted) throw new PagerStoppedError(`${description} is still queued: this worker is stopping`);
      // Not sent within the wait, or the send job itself broke: the page job is retried, and with
      // a key its retry waits for (or redoes) this same send. BullMQ's words for a timeout carry
      // the job id, and with it a number: not repeated.
      const reason = /timed out/.test(messageOf(error)) ? `still waiting for its turn after ${Math.round(this.#waitMs / 1000)} s` : messageOf(error);
      throw new PagerError("temporary", `${description} was not sent: ${reason}`, { to: data.to });
    }
    const outcome = SendOutcome.safeParse(result);
    if (!outcome.success) throw new PagerError("temporary", `${description}: the send queue's answer could not be read`, { to: data.to });
    if (outcome.data.ok) return outcome.data.sid;
    if ("withdrawn" in outcome.data) throw new SendWithdrawnError(outcome.data.withdrawn);
    const { failure, message, detail } = outcome.data;
    throw new PagerError(failure, message, detail);
  }

  async underway(key: string): Promise<boolean> {
    const jobId = sendJobId(key);
    for (const { queue } of [this.#queues.sms, this.#queues.calls]) {
      const state = await queue.getJobState(jobId);
      if (state === "unknown" || state === "failed") continue;
      if (state !== "completed") return true;
      // Completed: sent, unless it was dropped at its turn.
      if (SendOutcome.safeParse((await queue.getJob(jobId))?.returnvalue).data?.ok) return true;
    }
    return false;
  }

  /**
   * What an earlier send with this id did: its sid when it went out, the job itself when it is
   * still to go out (waited for, not added again), nothing when there was none, it failed or it
   * was dropped at its turn (removed, so it is added, and screened at its turn, again).
   */
  async #earlier(queue: Queue, jobId: string): Promise<string | Job | undefined> {
    // The state first, then the job: a job read while it was going out and found completed a
    // moment later would show no return value yet, and be sent again.
    const state = await queue.getJobState(jobId);
    if (state === "unknown") return undefined;
    const job = await queue.getJob(jobId);
    if (!job) return undefined;
    if (state === "completed") {
      const outcome = SendOutcome.safeParse(job.returnvalue);
      if (outcome.success && outcome.data.ok) return outcome.data.sid;
    } else if (state !== "failed") {
      return job;
    }
    await job.remove();
    return undefined;
  }
}

function droppableOf(options: SendOptions): Pick<SmsJob, "droppable"> {
  return options.droppable ? { droppable: options.droppable } : {};
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `waiting`, unless `closing` is aborted first: then it rejects at once ("this worker is
 * stopping"), and whatever `waiting` comes to later is let go.
 */
async function untilLetGo<T>(waiting: Promise<T>, closing: AbortSignal): Promise<T> {
  waiting.catch(() => {});
  let stop: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(new Error("this worker is stopping"));
    if (closing.aborted) stop();
    else closing.addEventListener("abort", stop, { once: true });
  });
  try {
    return await Promise.race([waiting, stopped]);
  } finally {
    closing.removeEventListener("abort", stop!);
  }
}
