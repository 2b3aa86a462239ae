import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { redisAnswers } from "../../scripts/lib/redis-probe.js";

/**
 * Private `redis-server` processes on free loopback ports, started and stopped by a test: a Redis
 * to kill and restart, or a primary, a replica and three sentinels to fail over. Never the shared
 * Redis at 6379. Each keeps its files in a folder of its own, removed by `remove()`.
 */

const children = new Set<ChildProcess>();
// A test run that dies leaves no redis-server behind.
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** One command to the Redis (or sentinel) at the port, on a connection of its own. */
export async function command(port: number, name: string, ...args: string[]): Promise<unknown> {
  return commandWith(undefined, port, name, ...args);
}

/** {@link command} to a Redis (or sentinel) that asks for `password` (its `requirepass`). */
export async function commandWith(password: string | undefined, port: number, name: string, ...args: string[]): Promise<unknown> {
  const redis = new Redis(port, "127.0.0.1", { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, ...(password ? { password } : {}) });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return await redis.call(name, ...args);
  } finally {
    redis.disconnect();
  }
}

/** Resolves once `check` holds (asked every 100 ms); rejects after `timeoutMs` naming what was waited for. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (await check().catch(() => false)) return;
  }
  throw new Error(`waited ${timeoutMs} ms for ${what}`);
}

/** A loopback port nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  /** Where its files go (the AOF, its log); a new temporary folder when not given. */
  dir?: string;
  /** AOF persistence, as a City should run it (`appendfsync everysec`). @defaultValue true */
  appendOnly?: boolean;
  /** Further `redis-server` arguments (`["--replicaof", "127.0.0.1", "6380"]`). */
  args?: string[];
  /** A password clients must give (`requirepass`), which a replica gives its primary too (`masterauth`). */
  password?: string;
}

/** What a sentinel asks of its clients, and what it gives the Redis it watches. */
export interface SentinelOptions {
  quorum?: number;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  /** The sentinel's own `requirepass`: every client, and the other sentinels, must give it. */
  password?: string;
}

/** One `redis-server` process. `kill()` and `start()` again make a restart on the same port and files. */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly argv: string[],
    /** What it asks of clients, when anything. */
    readonly password?: string,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "civic-redis-")));
    const port = await freePort();
    const persistence = options.appendOnly === false ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", "everysec"];
    const password = options.password ? ["--requirepass", options.password, "--masterauth", options.password] : [];
    const argv = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...persistence, "--logfile", join(dir, "redis.log"), ...password, ...(options.args ?? [])];
    const server = new RedisServer(port, dir, argv, options.password);
    await server.start();
    return server;
  }

  /**
   * A sentinel (`redis-server <conf> --sentinel`) watching `primary` as `name`, with short timings,
   * giving the primary its password (`sentinel auth-pass`).
   */
  static async sentinel(primary: RedisServer, name: string, options: SentinelOptions = {}): Promise<RedisServer> {
    const dir = await mkdtemp(join(tmpdir(), "civic-sentinel-"));
    const port = await freePort();
    // Sentinel rewrites its configuration file as it learns: each sentinel has a copy of its own.
    const conf = join(dir, "sentinel.conf");
    await writeFile(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `logfile ${join(dir, "sentinel.log")}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary.port} ${options.quorum ?? 2}`,
        `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1_000}`,
        `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5_000}`,
        `sentinel parallel-syncs ${name} 1`,
        ...(primary.password ? [`sentinel auth-pass ${name} ${primary.password}`] : []),
        // Sentinels give each other their own requirepass.
        ...(options.password ? [`requirepass ${options.password}`] : []),
        "",
      ].join("\n"),
    );
    const server = new RedisServer(port, dir, [conf, "--sentinel"], options.password);
    await server.start();
    return server;
  }

  /** Its URL, with its password when it has one. */
  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ""}127.0.0.1:${this.port}`;
  }

  /** One command to it, on a connection of its own, with its password. */
  command(name: string, ...args: string[]): Promise<unknown> {
    return commandWith(this.password, this.port, name, ...args);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the process (again, after `kill` or `stop`), with `extraArgs` this time only, and
   * resolves once it answers PING.
   */
  async start(extraArgs: string[] = []): Promise<void> {
    if (this.running) return;
    const child = spawn("redis-server", [...this.argv, ...extraArgs], { stdio: "ignore" });
    let failed: Error | undefined;
    child.once("error", (error) => (failed = error));
    children.add(child);
    child.once("exit", () => children.delete(child));
    this.child = child;
    for (let waited = 0; waited < 10_000; waited += 50) {
      // A Redis that wants a password still answers PING (with NOAUTH), which is enough here.
      if (await redisAnswers("127.0.0.1", this.port, 200)) return;
      if (failed) throw new Error(`could not start redis-server (${failed.message}): these tests need it on PATH (sudo apt-get install -y redis-server)`);
      if (!this.running) throw new Error(`redis-server ${this.argv.join(" ")} exited with ${child.exitCode ?? child.signalCode}; see ${this.dir}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not answer within 10 s; see ${this.dir}`);
  }

  /** Ends the process at once, as a crash does (SIGKILL): nothing is flushed or handed over. */
  kill(): Promise<void> {
    return this.end("SIGKILL");
  }

  /** Freezes the process (SIGSTOP): it keeps its connections open and answers nothing, as a hung Redis. */
  pause(): void {
    this.child?.kill("SIGSTOP");
  }

  /** Lets a paused process go on (SIGCONT). */
  resume(): void {
    this.child?.kill("SIGCONT");
  }

  /** Shuts it down cleanly (SIGTERM). */
  stop(): Promise<void> {
    return this.end("SIGTERM");
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  /** Stops it and removes its folder. */
  async remove(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A primary, a replica and three sentinels watching them, as a City runs Redis for failover. */
export interface SentinelGroup {
  name: string;
  /** The server started as the primary (after a failover, it may be the replica). */
  primary: RedisServer;
  /** The server started as its replica. */
  replica: RedisServer;
  sentinels: RedisServer[];
  /** `REDIS_SENTINELS` for them: `127.0.0.1:P,127.0.0.1:Q,127.0.0.1:R`. */
  sentinelsVariable: string;
  /** The server the sentinels name as the primary now. */
  current(): Promise<RedisServer>;
  /**
   * Starts a server that was killed again as a replica of the primary now, as an operator brings
   * an old primary back (left to the sentinels, it would be made one after some 10 s or more).
   */
  rejoin(server: RedisServer): Promise<void>;
  /**
   * Resolves once the group could fail over again: the server that is not the primary is its
   * replica and in step with it, and every sentinel knows that replica (and not as down) and the
   * two other sentinels.
   */
  ready(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Starts a primary with AOF, a replica of it, and three sentinels (quorum 2, down after 1 s,
 * failover timeout 5 s), and resolves once they are {@link SentinelGroup.ready ready}. With
 * `passwords`, the primary and its replica ask for `primary`, and the sentinels for `sentinels`.
 */
export async function startSentinelGroup(name = "civic", passwords: { primary?: string; sentinels?: string } = {}): Promise<SentinelGroup> {
  // Without the default 5 s wait for more replicas before a full sync, a replica is in step at once.
  const quickSync = ["--repl-diskless-sync-delay", "0"];
  const secret = passwords.primary ? { password: passwords.primary } : {};
  const primary = await RedisServer.start({ args: quickSync, ...secret });
  const replica = await RedisServer.start({ args: [...quickSync, "--replicaof", "127.0.0.1", String(primary.port)], ...secret });
  const sentinels: RedisServer[] = [];
  for (let index = 0; index < 3; index++) sentinels.push(await RedisServer.sentinel(primary, name, passwords.sentinels ? { password: passwords.sentinels } : {}));
  const current = async () => {
    const [, port] = (await sentinels[0]!.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as [string, string];
    return Number(port) === primary.port ? primary : replica;
  };
  const group: SentinelGroup = {
    name,
    primary,
    replica,
    sentinels,
    sentinelsVariable: sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(","),
    current,
    rejoin: async (server) => {
      await server.start(["--replicaof", "127.0.0.1", String((await current()).port)]);
      await group.ready();
    },
    ready: async () => {
      const now = await current();
      const other = now === primary ? replica : primary;
      await until(async () => {
        const info = String(await other.command("INFO", "replication"));
        return info.includes(`master_port:${now.port}`) && info.includes("master_link_status:up");
      }, `${other.port} to be a replica in step with ${now.port}`);
      for (const sentinel of sentinels) {
        await until(async () => {
          const fields = (await sentinel.command("SENTINEL", "MASTER", name)) as string[];
          const replicas = (await sentinel.command("SENTINEL", "REPLICAS", name)) as string[][];
          const known = replicas.map((entry) => Object.fromEntries(entry.flatMap((value, index) => (index % 2 === 0 ? [[value, entry[index + 1]]] : []))));
          return (
            fields[fields.indexOf("port") + 1] === String(now.port) &&
            fields[fields.indexOf("num-other-sentinels") + 1] === "2" &&
            known.some((entry) => entry["port"] === String(other.port) && entry["flags"] === "slave")
          );
        }, `sentinel ${sentinel.port} to know ${other.port} as a replica in step, and the other sentinels`);
      }
    },
    remove: async () => {
      for (const server of [...sentinels, replica, primary]) await server.remove();
    },
  };
  await group.ready();
  return group;
}

/**
 * A TCP stand-in in front of a port (a sentinel) whose door can be shut to new connections while
 * the connections already through stay open, as a network that lets old connections be and drops
 * new ones.
 */
export class TcpGate {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  static async open(target: number): Promise<TcpGate> {
    const gate = new TcpGate(await freePort(), target);
    await gate.admit();
    return gate;
  }

  /** Takes new connections again. */
  async admit(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target, "127.0.0.1");
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.server = server;
  }

  /** Refuses new connections; those already through go on. */
  refuse(): void {
    const server = this.server;
    this.server = undefined;
    // close() stops listening at once and calls back when the last connection has gone.
    server?.close();
  }

  /** Cuts every connection and stops listening. */
  remove(): void {
    this.server?.close();
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
  }
}
