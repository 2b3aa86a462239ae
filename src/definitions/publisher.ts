import {
  checkDefinitions,
  DEPARTMENTS_DOCUMENT,
  documentFile,
  HOURS_DOCUMENT,
  lineOfPath,
  ONCALL_DOCUMENT,
  withDocument,
  type DefinitionSources,
} from "../domain/definitions.js";
import type { DocumentKind, DocumentStore } from "../domain/ports.js";
import { isError, type Problem } from "../domain/validation.js";
import { readPublishedSources } from "./live-definitions.js";

/** A problem as the console and the API show it: at its line when it is in the document checked. */
export interface DocumentProblem {
  /** 1-based; null when the problem is in another document (a flow the change would break). */
  line: number | null;
  path: string;
  message: string;
  hint?: string;
  /** The document the problem is in (`main.yaml`, `oncall.yaml`). */
  document: string;
}

export interface DocumentCheck {
  ok: boolean;
  errors: DocumentProblem[];
  warnings: DocumentProblem[];
}

export type PublishOutcome =
  | { outcome: "published"; version: number; warnings: DocumentProblem[] }
  | { outcome: "invalid"; errors: DocumentProblem[]; warnings: DocumentProblem[] }
  /** `baseVersion` was given and someone published meanwhile. */
  | { outcome: "conflict"; live: number }
  /** The source is the live version's already: nothing to publish. */
  | { outcome: "unchanged"; version: number }
  /** A rollback to a version that does not exist. */
  | { outcome: "no-such-version" };

/** What was published, for the audit log and for telling the crew a roster changed. */
export interface Published {
  kind: DocumentKind;
  name: string;
  version: number;
  author: string;
  message: string;
  at: string;
  /** The source it replaced; null for the first version. */
  before: string | null;
  after: string;
  /** Set when it republished an older version. */
  rolledBackTo?: number;
}

export interface PublisherDependencies {
  store: DocumentStore;
  /** The time a publish is recorded at. */
  clock: () => string;
  /** Told after each publish (audit log, roster change messages). Its failure does not undo the publish. */
  onPublished?: (published: Published) => Promise<void>;
}

export interface Change {
  source: string;
  author: string;
  message: string;
  baseVersion?: number;
}

/**
 * Publishes flows, hours, rosters and departments: each change is checked on its own and against
 * the other live documents before it goes live, so an invalid document is never published and a
 * failed publish leaves the live version serving. Rollback publishes an old source as a new version.
 */
export class Publisher {
  constructor(private readonly deps: PublisherDependencies) {}

  /** Checks a draft against the live documents, as publishing it would. */
  async check(kind: DocumentKind, name: string, source: string): Promise<DocumentCheck> {
    const live = (await readPublishedSources(this.deps.store)) ?? emptySources();
    return checkAgainst(live, kind, name, source);
  }

  async publish(kind: DocumentKind, name: string, change: Change): Promise<PublishOutcome> {
    return this.publishChecked(kind, name, change);
  }

  /** Publishes version `version`'s source again, as a new version. */
  async rollback(kind: DocumentKind, name: string, version: number, change: Omit<Change, "source" | "message"> & { message?: string }): Promise<PublishOutcome> {
    const old = await this.deps.store.version(kind, name, version);
    if (!old) return { outcome: "no-such-version" };
    return this.publishChecked(kind, name, { ...change, source: old.source, message: change.message || `Rolled back to version ${version}` }, version);
  }

  /**
   * Publishes every document of a whole set that differs from its live version (`flows -- import`,
   * `npm run dev` watching `flows/`, the first start): all are checked together first, and none
   * is published when any is invalid.
   */
  async publishSet(
    sources: DefinitionSources,
    change: { author: string; message: string },
  ): Promise<{ outcome: "published"; published: { kind: DocumentKind; name: string; version: number }[] } | { outcome: "invalid"; errors: Problem[] }> {
    const checked = checkDefinitions(sources);
    if (!checked.set) return { outcome: "invalid", errors: checked.errors.filter(isError) };
    const documents: { kind: DocumentKind; name: string; source: string }[] = [
      ...[...sources.flows].map(([name, { source }]) => ({ kind: "flow" as const, name, source })),
      { kind: "hours", name: HOURS_DOCUMENT, source: sources.hours!.source },
      { kind: "oncall", name: ONCALL_DOCUMENT, source: sources.oncall!.source },
      // Optional: a folder without departments.yaml leaves the published departments, if any, as they are.
      ...(sources.departments ? [{ kind: "departments" as const, name: DEPARTMENTS_DOCUMENT, source: sources.departments.source }] : []),
    ];
    const published: { kind: DocumentKind; name: string; version: number }[] = [];
    for (const document of documents) {
      const result = await this.store(document.kind, document.name, { ...change, source: document.source });
      if (result.outcome === "published") published.push({ kind: document.kind, name: document.name, version: result.version });
    }
    return { outcome: "published", published };
  }

  /**
   * Checks the change against the other live documents, then publishes it only if none of them
   * was published meanwhile (the publish counter it was checked at is still the store's): two
   * changes that are each valid but not together (a flow that starts paging roads, a roster
   * that drops roads) cannot both go live. Checked again when another publish came first.
   */
  private async publishChecked(kind: DocumentKind, name: string, change: Change, rolledBackTo?: number): Promise<PublishOutcome> {
    for (let attempt = 1; ; attempt++) {
      const generation = await this.deps.store.generation();
      const check = await this.check(kind, name, change.source);
      if (!check.ok) return { outcome: "invalid", errors: check.errors, warnings: check.warnings };
      const result = await this.store(kind, name, { ...change, generation }, rolledBackTo);
      if (result.outcome === "stale") {
        if (attempt < 5) continue;
        return { outcome: "conflict", live: (await this.deps.store.live(kind, name))?.version ?? 0 };
      }
      return result.outcome === "published" ? { ...result, warnings: check.warnings } : result;
    }
  }

  /**
   * Stores a checked source as the new live version, unless it is the live one already. The
   * version it replaces is read first and the publish is refused if another came in between, so
   * what the audit log records as replaced is exact; without a `baseVersion` that is retried.
   */
  private async store(kind: DocumentKind, name: string, change: Change & { generation?: number }, rolledBackTo?: number): Promise<PublishOutcome | { outcome: "stale" }> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.storeOnce(kind, name, change, rolledBackTo);
      if (result.outcome !== "conflict" || change.baseVersion !== undefined || attempt === 3) return result;
    }
  }

  private async storeOnce(kind: DocumentKind, name: string, change: Change & { generation?: number }, rolledBackTo?: number): Promise<PublishOutcome | { outcome: "stale" }> {
    const { store, clock, onPublished } = this.deps;
    const live = await store.live(kind, name);
    if (change.baseVersion !== undefined && change.baseVersion !== (live?.version ?? 0)) return { outcome: "conflict", live: live?.version ?? 0 };
    if (live && live.source === change.source && rolledBackTo === undefined) return { outcome: "unchanged", version: live.version };
    const at = clock();
    const result = await store.publish(kind, name, {
      source: change.source,
      author: change.author,
      message: change.message,
      at,
      baseVersion: change.baseVersion ?? live?.version ?? 0,
      ...(change.generation === undefined ? {} : { generation: change.generation }),
    });
    if (result.outcome === "conflict" || result.outcome === "stale") return result;
    await onPublished?.({
      kind,
      name,
      version: result.version,
      author: change.author,
      message: change.message,
      at,
      before: live?.source ?? null,
      after: change.source,
      ...(rolledBackTo === undefined ? {} : { rolledBackTo }),
    });
    return { outcome: "published", version: result.version, warnings: [] };
  }
}

/** Checks one document as it would be with the others as they are. */
export function checkAgainst(others: DefinitionSources, kind: DocumentKind, name: string, source: string): DocumentCheck {
  const checked = checkDefinitions(withDocument(others, kind, name, source));
  const file = documentFile(kind, name);
  const shown = (problem: Problem): DocumentProblem => ({
    line: problem.file === file ? (lineOfPath(source, problem.path) ?? null) : null,
    path: problem.path,
    message: problem.message,
    ...(problem.hint ? { hint: problem.hint } : {}),
    document: problem.file,
  });
  const errors = checked.errors.filter(isError).map(shown);
  return { ok: errors.length === 0, errors, warnings: checked.warnings.map(shown) };
}

function emptySources(): DefinitionSources {
  return { flows: new Map(), hours: null, oncall: null, departments: null };
}
