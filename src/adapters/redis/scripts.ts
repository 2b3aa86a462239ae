import type { Redis } from "ioredis";

type ScriptCommand = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * A Lua script as a command on this connection. ioredis sends it by its SHA (EVALSHA) and loads
 * it only when Redis does not know it yet, so the script text does not travel with every call.
 */
export function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): ScriptCommand {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, ScriptCommand>)[name]!;
  return (...keysAndArgs) => command.apply(redis, keysAndArgs);
}
