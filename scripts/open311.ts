/**
 * Open311 api_keys, from the command line: the City's web form needs one to file requests, a
 * department's system one to post updates to its own requests, and (unless OPEN311_PUBLIC_READ
 * is true) any reader one to read them.
 *
 *   npm run open311 -- key add web-form
 *   npm run open311 -- key add water-works --department "Water Utility"
 *   npm run open311 -- key list
 *   npm run open311 -- key revoke web-form
 *
 * A new key is printed once, as the last word of the output; only its SHA-256 is kept (in Redis,
 * $REDIS_URL). Errors are one line on stderr, with exit code 1.
 */
import "./lib/load-env.js";
import { newOpen311Key, RedisOpen311KeyStore } from "../src/adapters/redis/open311-key-store.js";
import { KeyNameError, normalizeKeyName } from "../src/domain/open311/keys.js";
import type { Redis } from "ioredis";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { RedisDocumentStore } from "../src/adapters/redis/document-store.js";
import { readPublishedSources } from "../src/definitions/live-definitions.js";
import { parseDepartments } from "../src/domain/departments-parse.js";
import { didYouMean } from "../src/domain/validation.js";
import { CommandError, runCli, table, UsageError, withRedis, type CommandTable, type OptionValues, splitPositionals } from "./lib/cli.js";

const ACTIONS = ["list", "add", "revoke"];

// runCli reads options only; the key's name is a word of its own, taken out of the arguments here.
const { argv, positionals } = splitPositionals(process.argv.slice(2), ["department"], 1);

const commands: CommandTable = {
  key: {
    usage: [
      'key add <name> [--department "<department>"]',
      "  Makes a new api_key and prints it, once (the last word of the output): only its hash is kept.",
      "  --department NAME  the key speaks for this department (its name in departments.yaml) and may post",
      "                     updates to the department's requests (POST /open311/v2/requests/{id}/updates)",
      "key list",
      "  Every key: its name, its department, and when it was made. Never the keys themselves.",
      "key revoke <name>",
      "  Forgets the key: it opens nothing from its next request on.",
    ].join("\n"),
    options: { department: { type: "string" } },
    actions: ACTIONS,
    async run(values, action) {
      if (action === "add") return add(values);
      if (action === "revoke") return revoke(values);
      return list(values);
    },
  },
};

async function add(values: OptionValues): Promise<void> {
  const name = nameArgument("add");
  const department = departmentOption(values);
  const { key, hash } = newOpen311Key();
  const added = await withKeys(async (keys, redis) => {
    if (department) await requireDepartment(department, redis);
    return keys.add({ name, hash, department, createdAt: new Date().toISOString() });
  });
  if (!added) throw new CommandError(`there is already a key "${name}"; revoke it first, or choose another name`);
  const speaksFor = department ? ` for the department "${department}" (it may post updates to the department's requests)` : "";
  // The key is the last word, for scripts: `npm run open311 -- key add web-form | awk '{print $NF}'`.
  console.log(`New Open311 key "${name}"${speaksFor}, shown once (keep it secret; send it as api_key): ${key}`);
}

async function list(values: OptionValues): Promise<void> {
  refuseDepartment(values, "list");
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}": key list takes none`);
  const keys = await withKeys((store) => store.list());
  if (keys.length === 0) {
    console.log("No Open311 keys yet. Make one with: npm run open311 -- key add <name>");
    return;
  }
  console.log(table([["Name", "Department", "Created"], ...keys.map((key) => [key.name, key.department ?? "-", key.createdAt])]));
}

async function revoke(values: OptionValues): Promise<void> {
  refuseDepartment(values, "revoke");
  const name = nameArgument("revoke");
  if (!(await withKeys((keys) => keys.revoke(name)))) throw new CommandError(`there is no key "${name}"; see them with: npm run open311 -- key list`);
  console.log(`Revoked the Open311 key "${name}": it opens nothing from now on.`);
}

function nameArgument(action: string): string {
  if (positionals.length === 0) throw new UsageError(`key ${action} needs the key's name, e.g. npm run open311 -- key ${action} web-form`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}": key ${action} takes one name (quote a department's name: --department "Water Utility")`);
  try {
    return normalizeKeyName(positionals[0]!);
  } catch (error) {
    throw error instanceof KeyNameError ? new UsageError(error.message) : error;
  }
}

function departmentOption(values: OptionValues): string | null {
  const department = values["department"];
  if (department === undefined) return null;
  const name = String(department).trim();
  if (name === "" || name.length > 100) throw new UsageError('--department needs the department\'s name as departments.yaml has it, e.g. --department "Water Utility"');
  return name;
}

function refuseDepartment(values: OptionValues, action: string): void {
  if (values["department"] !== undefined) throw new UsageError(`--department goes with key add, not key ${action}`);
}


/** Runs `use` with the key store on $REDIS_URL; what goes wrong is said in one line, never a stack trace. */
async function withKeys<T>(use: (keys: RedisOpen311KeyStore, redis: Redis) => Promise<T>): Promise<T> {
  return withRedis(async (redis) => {
    try {
      return await use(new RedisOpen311KeyStore(redis), redis);
    } catch (error) {
      if (error instanceof CommandError || error instanceof UsageError) throw error;
      throw new CommandError(`Redis refused the change: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

await runCli("open311", commands, argv);

/**
 * Refuses a department the line does not have: a key for "Water & Wastewater" when departments.yaml
 * says "Water and Wastewater" would have every update refused as not that department's. The
 * departments are the line's live ones (published in Redis), or flows/departments.yaml before
 * anything is published.
 */
async function requireDepartment(department: string, redis: Redis): Promise<void> {
  const published = (await readPublishedSources(new RedisDocumentStore(redis)))?.departments?.source;
  const file = join(process.env["FLOWS_DIR"] || "flows", "departments.yaml");
  const source = published ?? (await readFile(file, "utf8").catch(() => null));
  if (source === null) throw new CommandError(`the line has no departments (${file} is missing and none are published), so a key cannot speak for "${department}"`);
  const names = parseDepartments(source, "departments.yaml").departments.map((known) => known.name);
  if (names.includes(department)) return;
  const near = didYouMean(department, names);
  throw new CommandError(
    `the line has no department "${department}"${near ? ` (did you mean "${near}"?)` : ""}: a key speaks for a department by its name in departments.yaml (${names.map((known) => `"${known}"`).join(", ")})`,
  );
}
