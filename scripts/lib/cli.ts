/**
 * What the supervisor command lines (`npm run hours`, `npm run oncall`) share: a table of
 * commands parsed with node's parseArgs, `--help`, did-you-mean for commands and options, the
 * definition file to read, and errors said in one line each with exit code 1.
 *
 * A command line is a table of commands and one call:
 *
 *   const commands: CommandTable = { show: { usage: "show [--days N]", options: { days: { type: "string" } }, async run(values) { ... } } };
 *   await runCli("hours", commands, process.argv.slice(2));
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Redis } from "ioredis";
import { DateTime } from "luxon";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { connectRedis, credentialsProblem, describeRedis } from "../../src/adapters/redis/connections.js";
import { ConfigError, loadRecordsConfig, loadRedisConfig, type RedisLocation } from "../../src/config/env.js";
import { parseHours, type Hours } from "../../src/domain/hours/index.js";
import { DefinitionError, didYouMean, formatProblem } from "../../src/domain/validation.js";

/** A mistake in how the command was called, reported with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Something outside the arguments went wrong (the file cannot be read, Redis does not answer): said in one line. */
export class CommandError extends Error {
  override readonly name = "CommandError";
}

/** The options as parseArgs gives them: `--days 3` is `{ days: "3" }`, `--closed` is `{ closed: true }`. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** A subcommand: its options for `parseArgs`, its help, and what it does. */
export interface Command {
  /** The command line, then what it does, then one line per option. */
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Words that may follow the command (`emergency set`); the first is the default. */
  actions?: string[];
  run(values: OptionValues, action?: string): Promise<void>;
}

/** The commands of one command line, by name: adding a command is adding an entry. */
export type CommandTable = Record<string, Command>;

/**
 * Runs the command `argv` names, printing `--help` when asked. Never rejects: a failure is printed
 * (one line per problem in a definition file, one line otherwise) and sets exit code 1.
 *
 * @param program - the npm script's name, for the usage line and as the prefix of error lines
 */
export async function runCli(program: string, commands: CommandTable, argv: string[]): Promise<void> {
  await runMain(program, () => dispatch(program, commands, argv));
}

/**
 * Runs a command line's `main` as {@link runCli} runs a command: never rejects; a failure is
 * printed (one line per problem in a definition file, a {@link UsageError} with a pointer to
 * `--help`, a {@link CommandError} in one line, anything else with its stack) and sets exit code 1.
 *
 * @example
 * await runMain("report", () => main(process.argv.slice(2)));
 */
export async function runMain(program: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof DefinitionError) {
      for (const problem of error.problems) console.error(formatProblem(problem));
    } else if (error instanceof UsageError) {
      console.error(`${program}: ${error.message}`);
      console.error("Run with --help for usage.");
    } else if (error instanceof CommandError) {
      console.error(`${program}: ${error.message}`);
    } else {
      console.error(`${program}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    process.exitCode = 1;
  }
}

async function dispatch(program: string, commands: CommandTable, argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(
      [
        `Usage: npm run ${program} -- <command> [options]`,
        "",
        ...Object.values(commands).flatMap((command) => [command.usage, ""]),
        "Every command takes -h or --help.",
      ].join("\n"),
    );
    return;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) throw new UsageError(`unknown command "${name}"${suggestion(name, Object.keys(commands))}`);
  let action: string | undefined;
  if (command.actions) {
    action = rest[0] && !rest[0].startsWith("-") ? rest.shift() : command.actions[0];
    if (!command.actions.includes(action!)) throw new UsageError(`unknown action "${action}"${suggestion(action!, command.actions)}`);
  }
  const values = parseOptions(command, rest);
  if (values["help"]) {
    console.log(`Usage: npm run ${program} -- ${command.usage}`);
    return;
  }
  await command.run(values, action);
}

function suggestion(word: string, candidates: readonly string[]): string {
  const near = didYouMean(word, candidates);
  return near ? ` (did you mean "${near}"?)` : "";
}

function parseOptions(command: Command, args: string[]): OptionValues {
  return parseCommandOptions(args, { ...command.options, help: { type: "boolean", short: "h" } });
}

/**
 * The options in `args`, strictly (no unknown option, no word that is not an option's value),
 * as node's parseArgs gives them. A mistake is a {@link UsageError} in one short line, with the
 * nearest known option for an unknown one.
 *
 * @throws UsageError
 */
export function parseCommandOptions<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(describeParseArgsError(error, Object.keys(options), args));
  }
}

/** parseArgs explains its errors at length; one short line with a suggestion serves better. */
function describeParseArgsError(error: unknown, optionNames: string[], args: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && quoted) {
    const near = didYouMean(quoted.replace(/^-+/, ""), optionNames);
    return `unknown option ${quoted}${near ? ` (did you mean --${near}?)` : ""}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL" && quoted) return `unexpected argument "${quoted}": every value follows its option`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted) {
    const option = quoted.split(" ")[0]!;
    // A negative number reads as the next option: said, with the form that takes it.
    const given = args[args.indexOf(option) + 1];
    const asValue = given !== undefined && /^-\.?\d/.test(given) && args.includes(option) ? ` (if "${given}" is its value, write ${option}=${given})` : "";
    return `option ${option} needs a value${asValue}`;
  }
  return message.split("\n")[0] ?? message;
}

/** The options every command that reads a definition takes: `--file`, or `--live`. */
export const FILE_OPTION = { file: { type: "string" }, live: { type: "boolean" } } as const;

/** The help lines for `--file` and `--live`. */
export function fileUsage(what: string, name: string): string {
  return [
    `  --file PATH        ${what} (default: $FLOWS_DIR/${name}, with FLOWS_DIR defaulting to flows)`,
    `  --live             the version the line serves now, published in Redis ($REDIS_URL), instead of a file`,
  ].join("\n");
}

/**
 * Reads a definition a supervisor edits: the published version with `--live`, the file `--file`
 * names, or `$FLOWS_DIR/<name>`. Reading a file, it says on stderr when the line serves a published
 * version that differs from it: the file is then a draft, not what callers get.
 *
 * @throws CommandError when the file cannot be read, or nothing is published
 */
export async function readDefinitionFile(
  fileOption: string | boolean | undefined,
  name: "hours.yaml" | "oncall.yaml",
  live = false,
): Promise<{ text: string; file: string }> {
  const kind = name === "hours.yaml" ? "hours" : "oncall";
  if (live) {
    const published = await withRedis((redis) => new RedisDocumentStore(redis).live(kind, kind));
    if (!published) throw new CommandError(`nothing is published yet for ${kind}: the line serves $FLOWS_DIR/${name} until it first starts`);
    return { text: published.source, file: `${kind} (published version ${published.version})` };
  }
  const file = typeof fileOption === "string" ? fileOption : join(process.env["FLOWS_DIR"] ?? "flows", name);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((error as Error).message);
    throw new CommandError(`cannot read ${file}: ${reason}`);
  }
  const published = await withRedis((redis) => new RedisDocumentStore(redis).live(kind, kind)).catch(() => null);
  if (published && published.source !== text) {
    console.error(`note: the line serves published version ${published.version} of ${kind}, which differs from ${file}; add --live to read it`);
  }
  return { text, file };
}

/** A `yyyy-MM-dd` option's value. @throws UsageError */
export function isoDateArgument(option: string, value: string | boolean): string {
  const text = String(value);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !DateTime.fromFormat(text, "yyyy-MM-dd").isValid) {
    throw new UsageError(`${option} "${text}" is not a date; write it as yyyy-MM-dd, e.g. 2026-12-20`);
  }
  return text;
}

/** A whole-number option's value, from `min` to `max`. @throws UsageError */
export function wholeNumberArgument(option: string, value: string | boolean, min: number, max: number): number {
  const text = String(value);
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < min || number > max) {
    throw new UsageError(`${option} "${text}" must be a whole number from ${min} to ${max}`);
  }
  return number;
}

/**
 * A date and time option's value: local to `zone` (`2026-12-24T23:00`), or with an offset.
 * @throws UsageError
 */
export function dateTimeArgument(option: string, value: string | boolean, zone: string): DateTime {
  const text = String(value);
  const parsed = DateTime.fromISO(text, { zone, setZone: true });
  if (!parsed.isValid) throw new UsageError(`${option} "${text}" is not a date and time; write it like 2026-12-24T23:00`);
  return parsed;
}

/** Left-aligned columns two spaces apart, without trailing spaces. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}

/**
 * The line's Redis as the commands reach it: $REDIS_URL (or the default), or through Sentinel
 * with $REDIS_SENTINELS and $REDIS_SENTINEL_NAME, as the line itself reaches it.
 *
 * @throws CommandError when those variables are not valid
 */
export function lineRedis(): RedisLocation {
  try {
    return loadRedisConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandError(`the Redis settings are not valid: ${error.problems.join("; ")}`);
    throw error;
  }
}

/** What a command that reads the records needs to know: where they are, their thresholds, and FLOWS_DIR. */
export type RecordsSettings = ReturnType<typeof loadRecordsConfig>;

/**
 * The records settings as the line reads them (DATABASE_URL or DATA_DIR, the report thresholds,
 * FLOWS_DIR), and only those: reading or closing a request needs none of the line's Twilio settings.
 *
 * @throws CommandError when they are not valid
 */
export function lineRecordsSettings(): RecordsSettings {
  try {
    return loadRecordsConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandError(`the records settings are not valid: ${error.problems.join("; ")}`);
    throw error;
  }
}

/**
 * The City's hours from `file`, for its time zone and business days.
 *
 * @param fix - how to point the command at the line's hours.yaml, said when the file cannot be read
 * @throws CommandError when the file cannot be read; DefinitionError when it is not valid
 */
export async function readCityHours(file: string, fix: string): Promise<Hours> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new CommandError(`cannot read ${file}, which gives the City's time zone and business days; ${fix}`);
  }
  return parseHours(text, file);
}

/** Where the line's Redis is, fit to print: any password hidden. */
export function redisShown(where: RedisLocation): string {
  return describeRedis(where);
}

/** What to check when the line's Redis does not answer. */
function redisHint(where: RedisLocation): string {
  return where.sentinel
    ? "check REDIS_SENTINELS and REDIS_SENTINEL_NAME (and REDIS_SENTINEL_PASSWORD, and the password in REDIS_URL)"
    : "set REDIS_URL to the line's Redis";
}

/**
 * Runs `use` with a connection to the line's Redis ({@link lineRedis}), failing in one clear line
 * when Redis does not answer, and disconnecting afterwards. It gives up at once rather than
 * retrying: a person is waiting at the terminal.
 *
 * @throws CommandError when Redis does not answer
 */
export async function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
  const where = lineRedis();
  const redis = connectRedis(where, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
  });
  // The refusal of a password comes as an error event; connect() then only says the connection closed.
  let refused: string | undefined;
  redis.on("error", (error: Error) => (refused ??= credentialsProblem(error, where)));
  try {
    await redis.connect().catch((error: Error) => {
      const problem = credentialsProblem(error, where) ?? refused;
      throw new CommandError(problem ? `Redis: ${problem}` : `Redis does not answer at ${redisShown(where)}; ${redisHint(where)}`);
    });
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * Takes the words that are not options (nor an option's value) out of the arguments after the
 * command, for runCli, which reads options only: `close 4821 --note "..."` and
 * `close --note "..." 4821` alike. `actions` words right after the command stay with it (the
 * `add` of `key add web-form`).
 *
 * @param optionsWithValues - the options that take a value (`note` for `--note "..."`)
 */
export function splitPositionals(args: string[], optionsWithValues: string[], actions = 0): { argv: string[]; positionals: string[] } {
  const [command, ...rest] = args;
  if (command === undefined) return { argv: args, positionals: [] };
  const kept = [command];
  for (let taken = 0; taken < actions && rest[0] !== undefined && !rest[0].startsWith("-"); taken++) kept.push(rest.shift()!);
  const positionals: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const word = rest[index]!;
    if (word.startsWith("-")) {
      kept.push(word);
      if (!word.includes("=") && optionsWithValues.includes(word.replace(/^--?/, "")) && index + 1 < rest.length) kept.push(rest[++index]!);
    } else {
      positionals.push(word);
    }
  }
  return { argv: kept, positionals };
}
