import type { CallState } from "./flow/call-state.js";
import type { CallEnd } from "./flow/call-record.js";
import type { EmergencyOverride } from "./hours/index.js";
import type { ReportDraft } from "./flow/actions.js";
import type { CallRecord, IncidentRecord, RequestNote, RequestQuery, RequestStatus, ServiceRequest } from "./records.js";
import type { Incident, IncidentEvent, IncidentStatus, PlannedStep } from "./oncall/incident.js";
import type { UrgentReport } from "./report.js";
import type { Role } from "./accounts.js";

/** A call as stored, with the TwiML last sent for it (replayed when Twilio retries). */
export interface StoredCall {
  call: CallState;
  twiml: string;
  /** What Twilio's status callback said, once the call has ended (an answer can still come after it). */
  end?: CallEnd;
}

/** Where live calls are kept between webhooks. */
export interface CallStore {
  load(callSid: string): Promise<StoredCall | null>;
  /**
   * Saves the call and the TwiML answered for it, only if nobody saved a newer step since
   * `expectedStep` was read. False means another request got there first.
   */
  save(call: CallState, expectedStep: number, twiml: string): Promise<boolean>;
  /**
   * Saves a new call's first step and its TwiML in one round trip, worked out before anything was
   * read: only if no state is stored for the call yet and the override is still the one
   * `overrideVersion` names (see {@link OverrideStore.lastRead}). False, with nothing saved,
   * when either has changed: read, then step again.
   */
  start(call: CallState, twiml: string, overrideVersion: string): Promise<boolean>;
  /** Notes that the call has ended, as Twilio's status callback said, beside its state (nothing when it has none). */
  markEnded(callSid: string, end: CallEnd): Promise<void>;
}

/** The override as a process last read or wrote it, and the version of the store it was. */
export interface OverrideRead {
  /** Shared by every caller of the store: not to be changed. */
  readonly override: EmergencyOverride | null;
  readonly version: string;
}

/** The supervisor's emergency override, shared by every instance. */
export interface OverrideStore {
  get(): Promise<EmergencyOverride | null>;
  /** What this process last read ({@link get}) or wrote ({@link set}, {@link clear}); undefined before either. */
  lastRead(): OverrideRead | undefined;
  set(override: EmergencyOverride): Promise<void>;
  clear(): Promise<void>;
}

/** Files urgent reports for the on-call crew. Idempotent per call. */
export interface ReportQueue {
  /**
   * Queues the report (once per call, however often it is asked) and returns its reference.
   * `hold`: the caller is still adding to it; keep it back a little, and send it as it is if
   * nothing more comes. Asked again for the same call, it brings a held report up to date.
   */
  dispatch(draft: ReportDraft, options?: { hold?: boolean }): Promise<string>;
  /** Sends the call's held report now (the call ended); false when there is none held. */
  release(callSid: string): Promise<boolean>;
  /**
   * The call's reference, given once per call from the one counter every request shares (a
   * voicemail gets its reference this way too).
   */
  reference(callSid: string): Promise<string>;
}

/**
 * Something the City keeps, handed from the process that learned it to the worker that writes it
 * to the records database. The hand-off goes through Redis, so a webhook never waits on the
 * database and nothing is lost while it is down.
 */
export type RecordEvent =
  /** Handed over again, with a higher `revision`, when an answer comes after the end (a voicemail the caller hung up on). */
  | { type: "call-ended"; call: CallRecord }
  /** An urgent report reached the dispatcher: `incident` is its own reference or the one it joined. */
  | { type: "report-filed"; report: UrgentReport; incident: string }
  | { type: "incident-event"; incident: string; event: IncidentEvent };

/** Hands records to the worker, durably; each event is kept once however often it is handed over. */
export interface RecordKeeper {
  keep(event: RecordEvent): Promise<void>;
}

/** A change of a request's status, by a person, a crew member or a department's system. */
export interface StatusChange {
  status: RequestStatus;
  at: string;
  /** Who changed it (a username, a crew member's name, a department). */
  by: string;
  /** What they said, kept as a note. */
  note?: string;
  /** The note's kind: the new status when undefined (`update` for a word that changes no status). */
  noteKind?: string;
  /** The public word on its status (GeoReport's status_notes); left as it was when undefined. */
  description?: string;
  /** The same change handed over twice (a retried job) is kept once. */
  key?: string;
  /**
   * Only move the status forward (open, acknowledged, closed): a change that would move it back,
   * or one from before the request was reopened, is noted and not applied. For changes that can
   * arrive out of order (an incident's events).
   */
  forwardOnly?: boolean;
}

/** The records database: calls, service requests with their notes, incidents. Every write is idempotent. */
export interface RecordStore {
  /** Keeps the call once per CallSid; false when it was kept already. */
  addCall(call: CallRecord): Promise<boolean>;
  /** Keeps the request once per reference (and once per call); false when it was kept already. */
  addRequest(request: ServiceRequest): Promise<boolean>;
  request(reference: string): Promise<{ request: ServiceRequest; notes: RequestNote[] } | null>;
  requests(query?: RequestQuery): Promise<ServiceRequest[]>;
  /** Changes the status (closing sets the closed time; reopening clears it) and notes who did it; null when there is no such request. */
  changeStatus(reference: string, change: StatusChange): Promise<ServiceRequest | null>;
  /** Adds a note; false when `key` was kept already or there is no such request. */
  addNote(reference: string, note: RequestNote, key?: string): Promise<boolean>;
  /** Keeps an incident once. */
  openIncident(incident: { reference: string; category: string; openedAt: string }): Promise<void>;
  /**
   * Applies an incident's event (acknowledged, resolved, a page beyond the first person, the alarm).
   * @throws when the incident is not kept yet (its report's record comes later): try again later
   */
  incidentEvent(reference: string, event: IncidentEvent): Promise<void>;
  incident(reference: string): Promise<IncidentRecord | null>;
  /** Removes call records that ended before `before` (requests are kept); returns how many. */
  removeCallsEndedBefore(before: string): Promise<number>;
  /** The highest numeric reference kept, or 0 when none is. */
  highestReference(): Promise<number>;
}

export type OpenResult = { outcome: "new" | "joined" | "existing"; reference: string };
export type AcknowledgeResult =
  | { outcome: "acknowledged" }
  | { outcome: "missing" }
  | { outcome: "acknowledged-already" | "resolved-already"; by: string; at: string };
export type ResolveResult =
  | { outcome: "resolved"; was: "open" | "acknowledged" }
  | { outcome: "missing" }
  | { outcome: "resolved-already" }
  /** Someone else holds it, and the person asking is not a supervisor of the category. */
  | { outcome: "held-by"; by: string; at: string }
  /** Nobody has taken it, and the person asking was not paged for it. */
  | { outcome: "not-taken" };

/** Who marks an incident fixed, and what the roster lets them do. */
export interface Resolver {
  name: string;
  phone: string;
  /** A supervisor of the incident's category may close it whoever holds it. */
  supervisor: boolean;
  /** Whether they may close it while nobody holds it (they were paged for it, or supervise it). */
  mayCloseUntaken: boolean;
}

/** Where incidents live, shared by the worker and every web instance. Every racing change is atomic. */
export interface IncidentStore {
  /**
   * Opens an incident for the report, or joins the one keyed by category and `placeKey` (empty:
   * never joins) while it is open, or acknowledged less than `joinWindowMs` before `now`.
   */
  openOrJoin(report: UrgentReport, placeKey: string, now: string, joinWindowMs: number): Promise<OpenResult>;
  get(reference: string): Promise<Incident | null>;
  /** The incident a reference belongs to: its own, or the one a joined report joined; null when none. */
  lookup(reference: string): Promise<string | null>;
  /** Just the status (null: no such incident), for re-checking cheaply while a page job runs. */
  status(reference: string): Promise<IncidentStatus | null>;
  /** Keeps who a step paged, once: a step recorded already keeps its first person, which is returned. */
  recordStep(reference: string, step: PlannedStep): Promise<PlannedStep>;
  addEvent(reference: string, event: IncidentEvent): Promise<void>;
  /**
   * Every round of pages went unanswered: the incident takes no more repeat reports. A report of
   * the same place opens a new incident, which pages whoever is on call by then.
   */
  endChain(reference: string, at: string): Promise<void>;
  /** Takes an open incident for `by`, once; says who holds it otherwise. */
  acknowledge(reference: string, by: { name: string; phone: string }, at: string): Promise<AcknowledgeResult>;
  /** Marks it fixed and frees its place, when `by` may; says why not otherwise. */
  resolve(reference: string, by: Resolver, at: string): Promise<ResolveResult>;
  /** Joined reports the holder has not been told about yet. */
  unsummarized(reference: string): Promise<number>;
  markSummarized(reference: string, count: number): Promise<void>;
  /** Marks a page (a step's channel, a resident's SMS) as sent, or claimed for sending; false when it already was. */
  markSent(reference: string, step: number, channel: string): Promise<boolean>;
  /** Takes a mark back, so a retried job sends what a temporary failure kept from going out. */
  unmarkSent(reference: string, step: number, channel: string): Promise<void>;
  wasSent(reference: string, step: number, channel: string): Promise<boolean>;
  /** Notes that `phone` was paged for (or took) an incident, for replies that leave the reference out. */
  notePage(phone: string, reference: string, at: string): Promise<void>;
  /** The incidents `phone` was paged for or took in the last days, newest first. */
  crewIncidents(phone: string): Promise<string[]>;
  /** The references of the reports filed with `phone` as the callback number, newest first. */
  residentReports(phone: string): Promise<string[]>;
  recent(count: number): Promise<Incident[]>;
}

/** The documents supervisors edit: call flows (by name), the hours, the on-call rosters, and the departments. */
export type DocumentKind = "flow" | "hours" | "oncall" | "departments";

/** One published version of a document: its YAML source as written, and who published it, when and why. */
export interface DocumentVersion {
  kind: DocumentKind;
  name: string;
  /** 1, 2, 3, ... per document; a rollback publishes an old source as a new version. */
  version: number;
  source: string;
  author: string;
  /** ISO 8601. */
  at: string;
  message: string;
}

export type PublishResult =
  | { outcome: "published"; version: number }
  /** `baseVersion` was given and is not the live version: someone published meanwhile. */
  | { outcome: "conflict"; live: number }
  /** `generation` was given and another document was published since: check again against it. */
  | { outcome: "stale" };

/**
 * Where published documents live, with their history, shared by every instance. It stores what
 * it is given: checking a document before it is published is the caller's work.
 */
export interface DocumentStore {
  /** A number that grows with every publish of any document: an instance that saw it unchanged has nothing to reload. */
  generation(): Promise<number>;
  /** The live version, or null when nothing was ever published under that name. */
  live(kind: DocumentKind, name: string): Promise<DocumentVersion | null>;
  version(kind: DocumentKind, name: string, version: number): Promise<DocumentVersion | null>;
  /** Every version, newest first, without the sources. */
  history(kind: DocumentKind, name: string): Promise<Omit<DocumentVersion, "source">[]>;
  /** The documents of a kind and their live versions, by name. */
  list(kind: DocumentKind): Promise<Omit<DocumentVersion, "source">[]>;
  /** Publishes a new live version, atomically; refused when `baseVersion` is not the live one. */
  publish(
    kind: DocumentKind,
    name: string,
    change: {
      source: string;
      author: string;
      message: string;
      at: string;
      baseVersion?: number;
      /** The publish counter the change was checked at; refused as `stale` if any document was published since. */
      generation?: number;
    },
  ): Promise<PublishResult>;
}

/**
 * A password as kept: never the password itself, only a slow salted hash and the parameters it was
 * made with, so that they can be raised later and old hashes still be checked (and replaced).
 */
export interface PasswordHash {
  algorithm: "scrypt";
  /** scrypt's CPU and memory cost (N), a power of two. */
  cost: number;
  /** scrypt's block size (r). */
  blockSize: number;
  /** scrypt's parallelization (p). */
  parallelization: number;
  /** The random salt of this one password, base64. */
  salt: string;
  /** The derived key, base64. */
  hash: string;
}

/** An API token as kept: only its hash, so a copy of Redis signs nobody in. */
export interface ApiTokenRecord {
  /** SHA-256 of the token, hex. */
  hash: string;
  /** ISO 8601. */
  createdAt: string;
}

/** Someone who may use the console and the API. */
export interface Account {
  /** Lower-case, as `normalizeUsername` gives it. */
  username: string;
  role: Role;
  password: PasswordHash;
  tokens: ApiTokenRecord[];
  /** ISO 8601. */
  createdAt: string;
}

/** Where accounts live, shared by every web instance and the command line. Every change is atomic. */
export interface AccountStore {
  get(username: string): Promise<Account | null>;
  /** The account holding the token with this hash, or null. */
  findByTokenHash(hash: string): Promise<Account | null>;
  /** Every account, by username. */
  list(): Promise<Account[]>;
  /** Adds the account, with no tokens; false (and nothing changed) when the username is taken. */
  add(account: Omit<Account, "tokens">): Promise<boolean>;
  /** Removes the account and its tokens; false when there was no such account. */
  remove(username: string): Promise<boolean>;
  /** False when there is no such account. */
  setPassword(username: string, password: PasswordHash): Promise<boolean>;
  /** False when there is no such account. */
  setRole(username: string, role: Role): Promise<boolean>;
  /** False (and nothing kept) when there is no such account. */
  addToken(username: string, token: ApiTokenRecord): Promise<boolean>;
}

/** A signed-in browser: who, since when, and the token its state-changing requests must carry. */
export interface Session {
  /** The secret the session cookie carries. */
  id: string;
  username: string;
  /** Sent back with every state-changing request (`X-CSRF-Token` or a form's `_csrf`). */
  csrfToken: string;
  /** ISO 8601; the absolute limit counts from here. */
  createdAt: string;
}

/**
 * Where sessions live, so that any web instance serves any supervisor. A session lapses after a
 * while without use (the idle limit, restarted by `touch`) and, used or not, at its absolute limit.
 */
export interface SessionStore {
  create(session: Session): Promise<void>;
  /** The session, its idle timer restarted; null when there is none or it has lapsed. */
  touch(id: string): Promise<Session | null>;
  delete(id: string): Promise<void>;
  /** Ends every session of `username` (removed, or a new password); returns how many there were. */
  deleteFor(username: string): Promise<number>;
}

/**
 * Slows down guessing: counts failed sign-ins per account and address, and per address, and says
 * how long the next attempt must wait. Times in milliseconds; 0 means at once.
 */
export interface SignInLimiter {
  /** How long a sign-in as `username` from `address` must still wait. Counts nothing. */
  waitFor(username: string, address: string): Promise<number>;
  /** Counts a failed sign-in; returns how long the next attempt must wait. */
  failed(username: string, address: string): Promise<number>;
  /** A sign-in succeeded: forgets the failures of this account from this address. */
  succeeded(username: string, address: string): Promise<void>;
  /**
   * Claims the one password check an account may have under way from an address; false when
   * another is still running. Without it, guesses sent all at once would each pass `waitFor`
   * before any failure was counted. Free it with `finished`.
   */
  checking(username: string, address: string): Promise<boolean>;
  finished(username: string, address: string): Promise<void>;
}

/** What an audit entry records. */
export type AuditAction =
  | "publish"
  | "rollback"
  | "emergency"
  | "account-added"
  | "account-removed"
  | "password-changed"
  | "role-changed"
  | "token-created"
  | "sign-in-refused"
  /** A service request closed by hand (the console's worklist, `npm run requests -- close`): document `request:<ref>`, the note as message. */
  | "request-closed"
  /** An urgent report closed already, closed again to stop its incident's pages (after Redis did not answer the first time): document `request:<ref>`. */
  | "paging-stopped";

/** Who changed what, and when. */
export interface AuditEntry {
  /** Increasing: a later entry has a larger id (compare as numbers). */
  id: string;
  /** ISO 8601. */
  at: string;
  /** The username, `cli` for the command line, `files` for the files in flows/. */
  user: string;
  action: AuditAction;
  /** What was changed: `flow:main`, `hours`, `oncall`, `departments`, `emergency`, `account:alice`, `request:4821`. */
  document?: string;
  version?: number;
  /** The message the change was published with. */
  message?: string;
  /** A unified diff of the change. */
  diff?: string;
  /** Anything else worth keeping, in words (an address, a role). */
  detail?: string;
}

export interface AuditQuery {
  user?: string;
  document?: string;
  /** How many entries at most; the log decides the default and the ceiling. */
  limit?: number;
  /** Only entries older than this id: the next page after a page ending with it. */
  before?: string;
}

/** The audit log: appended to, never edited, the oldest entries dropped past a cap. */
export interface AuditLog {
  record(entry: Omit<AuditEntry, "id">): Promise<AuditEntry>;
  /** Newest first. */
  entries(query?: AuditQuery): Promise<AuditEntry[]>;
}
