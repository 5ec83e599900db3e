/**
 * The daemon's local Unix sockets in the data folder (`status.sock`, `control.sock`): listened on
 * with the mode that says who may connect, replaced when a dead daemon left one, removed on stop.
 */
import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";

/** A Unix socket path longer than this does not fit (Linux: 108 bytes with the final NUL). */
export const MAX_SOCKET_PATH = 107;

/** A listening socket and the connections it has open. */
export interface UnixListener {
  server: Server;
  path: string;
  connections: Set<Socket>;
}

/**
 * Listens on `path` (a socket left by a daemon that died is replaced: the start checks found none
 * answering) and gives it `mode`: connecting needs write permission. Undefined, with a warning
 * saying what `instead` does, when the path is too long for a Unix socket.
 */
export async function listenUnix(
  path: string,
  mode: number,
  onConnection: (socket: Socket) => void,
  log: Logger,
  instead: string,
): Promise<UnixListener | undefined> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    log.warn({ path }, `no socket: its path is too long; ${instead}`);
    return undefined;
  }
  rmSync(path, { force: true });
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => {
      server.off("error", fail);
      done();
    });
  });
  server.on("error", (err) => log.warn({ err, path }, "socket failed"));
  chmodSync(path, mode);
  return { server, path, connections };
}

/** Stops listening, ends the connections still open and removes the socket. */
export async function closeUnix(listener: UnixListener | undefined): Promise<void> {
  if (listener === undefined) return;
  const closed = new Promise<void>((done) => listener.server.close(() => done()));
  for (const socket of listener.connections) socket.destroy();
  await closed;
  rmSync(listener.path, { force: true });
}
