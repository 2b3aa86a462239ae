/**
 * Accounts for the console and the API, from the command line: the first admin has to come from
 * somewhere.
 *
 *   printf '%s\n' 'a long passphrase' | npm run users -- add alice --role admin
 *   npm run users -- token alice
 *   npm run users -- list
 *   npm run users -- passwd alice
 *   npm run users -- role alice --role supervisor
 *   npm run users -- remove alice
 *
 * A password is read from standard input (its first line) when that is not a terminal, and asked
 * for without echo (twice) when it is. Changes go to the audit log as made by "cli". Errors are
 * one line on stderr, with exit code 1.
 */
import "./lib/load-env.js";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { AccountError, COMMAND_LINE_USER, type AccountService } from "../src/accounts/accounts.js";
import { createRedisAccountService } from "../src/accounts/redis-account-service.js";
import { AccountRuleError, checkNewPassword, normalizeUsername, parseRole, ROLES, type Role } from "../src/domain/accounts.js";
import { CommandError, runCli, table, UsageError, withRedis, type CommandTable, type OptionValues, splitPositionals } from "./lib/cli.js";

const ROLE_OPTION = { role: { type: "string" } } as const;
const ROLE_LIST = ROLES.join("|");

// runCli takes options only; the username is a word of its own, taken out of the arguments here.
const { argv, positionals } = splitPositionals(process.argv.slice(2), ["role"]);

const commands: CommandTable = {
  add: {
    usage: [
      `add <username> --role ${ROLE_LIST}`,
      "  Adds an account. The password (12 characters or more) is the first line of standard input,",
      "  or asked for twice, without echo, at a terminal.",
    ].join("\n"),
    options: ROLE_OPTION,
    async run(values) {
      const username = asUsage(() => normalizeUsername(usernameArgument("add")));
      const role = roleArgument("add", values);
      await withAccounts(async (accounts) => {
        if (await accounts.find(username)) throw new CommandError(`there is already an account "${username}"; change its password with passwd`);
        const password = await readNewPassword(username);
        await accounts.add({ username, role, password, by: COMMAND_LINE_USER });
      });
      console.log(`Added ${username} (${role}). Make an API token with: npm run users -- token ${username}`);
    },
  },
  token: {
    usage: ["token <username>", "  Makes a new API token for the account and prints it, once: only its hash is kept."].join("\n"),
    options: {},
    async run() {
      const username = usernameArgument("token");
      const token = await withAccounts((accounts) => accounts.newToken({ username, by: COMMAND_LINE_USER }));
      // The token is the last word, for scripts: `npm run users -- token alice | awk '{print $NF}'`.
      console.log(`New API token for ${username.trim().toLowerCase()} (shown once, keep it secret; send it as Authorization: Bearer <token>): ${token}`);
    },
  },
  list: {
    usage: ["list", "  Every account: its role, how many API tokens it has, and when it was made."].join("\n"),
    options: {},
    async run() {
      const accounts = await withAccounts((service) => service.list());
      if (accounts.length === 0) {
        console.log(`No accounts yet. Add the first admin with: printf '%s\\n' 'a long passphrase' | npm run users -- add <username> --role admin`);
        return;
      }
      console.log(
        table([
          ["Username", "Role", "Tokens", "Created"],
          ...accounts.map((account) => [account.username, account.role, String(account.tokens), account.createdAt]),
        ]),
      );
    },
  },
  remove: {
    usage: ["remove <username>", "  Removes the account with its API tokens, and signs it out everywhere."].join("\n"),
    options: {},
    async run() {
      const username = usernameArgument("remove");
      await withAccounts((accounts) => accounts.remove({ username, by: COMMAND_LINE_USER }));
      console.log(`Removed ${username.trim().toLowerCase()}, its API tokens and its sessions.`);
    },
  },
  passwd: {
    usage: [
      "passwd <username>",
      "  Sets a new password (read as for add) and signs the account out everywhere.",
    ].join("\n"),
    options: {},
    async run() {
      const username = usernameArgument("passwd");
      await withAccounts(async (accounts) => {
        const account = await accounts.find(username);
        if (!account) throw new CommandError(`there is no account "${username}"`);
        const password = await readNewPassword(account.username);
        await accounts.setPassword({ username: account.username, password, by: COMMAND_LINE_USER });
      });
      console.log(`Password changed for ${username.trim().toLowerCase()}; its sessions are ended.`);
    },
  },
  role: {
    usage: [`role <username> --role ${ROLE_LIST}`, "  Gives the account another role, from its next request on."].join("\n"),
    options: ROLE_OPTION,
    async run(values) {
      const username = usernameArgument("role");
      const role = roleArgument("role", values);
      await withAccounts((accounts) => accounts.setRole({ username, role, by: COMMAND_LINE_USER }));
      console.log(`${username.trim().toLowerCase()} is now ${role === "admin" ? "an" : "a"} ${role}.`);
    },
  },
};


function usernameArgument(command: string): string {
  if (positionals.length === 0) throw new UsageError(`${command} needs a username, e.g. npm run users -- ${command} alice`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}": ${command} takes one username`);
  return positionals[0]!;
}

function roleArgument(command: string, values: OptionValues): Role {
  const role = values["role"];
  if (typeof role !== "string") throw new UsageError(`${command} needs --role ${ROLE_LIST}`);
  return asUsage(() => parseRole(role));
}

/** A username or a role that breaks the rules is a mistake in the arguments: said as one, with a pointer to --help. */
function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof AccountRuleError ? new UsageError(error.message) : error;
  }
}

/** Runs `use` with the account service on $REDIS_URL; what goes wrong is said in one line, never a stack trace. */
async function withAccounts<T>(use: (accounts: AccountService) => Promise<T>): Promise<T> {
  return withRedis(async (redis) => {
    try {
      return await use(createRedisAccountService(redis).accounts);
    } catch (error) {
      if (error instanceof CommandError || error instanceof UsageError) throw error;
      if (error instanceof AccountError || error instanceof AccountRuleError) throw new CommandError(error.message);
      throw new CommandError(`Redis refused the change: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/**
 * A new password: the first line of standard input, or typed twice at a terminal without echo.
 *
 * @throws CommandError when there is none, the two differ, or it is too short
 */
async function readNewPassword(username: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const password = firstLine(await readAll(process.stdin));
    if (password === "") {
      throw new CommandError(`no password on standard input: pipe one in, e.g. printf '%s\\n' 'a long passphrase' | npm run users -- ...`);
    }
    return password;
  }
  const password = await askHidden(`New password for ${username}: `);
  try {
    checkNewPassword(password);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  if ((await askHidden("The same again, to be sure: ")) !== password) throw new CommandError("the two passwords differ; nothing was changed");
  return password;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  return text;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? "";
}

/** Asks on the terminal with the answer not echoed; the prompt goes to stderr, so stdout stays the command's own. */
async function askHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, encoding, callback) {
      if (!muted) process.stderr.write(chunk, encoding);
      callback();
    },
  });
  const lines = createInterface({ input: process.stdin, output, terminal: true });
  const cancel = new AbortController();
  lines.on("SIGINT", () => cancel.abort());
  lines.on("close", () => cancel.abort());
  try {
    const answer = lines.question(prompt, { signal: cancel.signal });
    muted = true;
    return await answer;
  } catch {
    throw new CommandError("cancelled; nothing was changed");
  } finally {
    muted = false;
    lines.close();
    process.stderr.write("\n");
  }
}

await runCli("users", commands, argv);
