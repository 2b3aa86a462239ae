import { connect } from "node:net";

/**
 * True when something at host:port answers a Redis PING within `timeoutMs` (an auth error counts:
 * it is a Redis). Spoken over a bare socket, so nothing retries or queues behind it.
 */
export function redisAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH|-ERR)/.test(data.toString())));
  });
}
