/** A fake systemd notify socket: a real Unix datagram socket bound where NOTIFY_SOCKET will point. */
import { createRequire } from "node:module";
import { join } from "node:path";

/** The part of unix-dgram a receiving socket needs (the module ships no types). */
interface ReceivingSocket {
  bind(path: string): void;
  close(): void;
}

/** What the daemon sent so far, one string per datagram, and the socket's path. */
export interface FakeNotifySocket {
  path: string;
  received: string[];
}

/** Binds `notify.sock` in `dir` (closed through `defer`) and collects each datagram as text. */
export function fakeNotifySocket(dir: string, defer: (fn: () => void) => void): FakeNotifySocket {
  const require = createRequire(import.meta.url);
  const dgram = require("unix-dgram") as {
    createSocket(type: "unix_dgram", listener: (buf: Buffer) => void): ReceivingSocket;
  };
  const received: string[] = [];
  const path = join(dir, "notify.sock");
  const socket = dgram.createSocket("unix_dgram", (buf) => received.push(buf.toString("utf8")));
  socket.bind(path);
  defer(() => socket.close());
  return { path, received };
}
