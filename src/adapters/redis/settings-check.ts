import type { Redis } from "ioredis";

/**
 * What a City's Redis should be set to keep what the line holds (the README's production
 * checklist), and is not: each a sentence for the operators. Empty when all is well, and when
 * Redis will not say (a managed Redis may refuse `CONFIG`): nothing is claimed that was not read.
 */
export async function redisSettingsToFix(redis: Redis): Promise<string[]> {
  let settings: Map<string, string>;
  try {
    const reply = (await redis.config("GET", "appendonly")) as string[];
    const policy = (await redis.config("GET", "maxmemory-policy")) as string[];
    settings = new Map([...pairs(reply), ...pairs(policy)]);
  } catch {
    return [];
  }
  const problems: string[] = [];
  if (settings.get("appendonly") === "no") {
    problems.push("appendonly is no: calls in progress and queued pages are lost when Redis restarts (set appendonly yes)");
  }
  const policy = settings.get("maxmemory-policy");
  if (policy !== undefined && policy !== "noeviction") {
    problems.push(`maxmemory-policy is ${policy}: Redis may drop calls and queued pages when its memory is full (set noeviction)`);
  }
  return problems;
}

function pairs(reply: string[]): [string, string][] {
  const found: [string, string][] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) found.push([reply[i]!, reply[i + 1]!]);
  return found;
}
