/**
 * `accessgw status` asks the running daemon directly: a Unix socket in the data folder
 * (`status.sock`) answers every connection with the status document as one JSON line. Unlike
 * status.json it needs no free disk space, so a daemon on a full disk still says it runs and what
 * fails; a daemon that does not answer in time is judged by the file as before (readStatus).
 */
import { connect } from "node:net";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { StatusDocument } from "../config/statusDocument.js";
import type { Feature } from "./features/controller.js";
import { readStatus, realProbe, type StatusProbe, type StatusReading } from "./statusFile.js";
import { closeUnix, listenUnix, type UnixListener } from "./unixSocket.js";

/** The socket's name inside the data folder. */
export const STATUS_SOCKET = "status.sock";
/** How long `status` waits for the daemon's answer before reading the file instead. */
export const ASK_TIMEOUT_MS = 2000;
/** More than this is no status document. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** Where the status socket of a data folder is. */
export function statusSocketPath(dataDir: string): string {
  return join(resolve(dataDir), STATUS_SOCKET);
}

/** What a StatusSocket is handed. */
export interface StatusSocketOptions {
  dataDir: string;
  /** The socket's permissions: who may ask (connecting needs write permission). */
  mode: number;
  snapshot: () => StatusDocument;
  logger: Logger;
}

/** The daemon's side: a feature that listens on `<data>/status.sock` while the daemon runs. */
export class StatusSocket implements Feature {
  readonly name = "status socket";
  private readonly o: StatusSocketOptions;
  private listener: UnixListener | undefined;

  constructor(options: StatusSocketOptions) {
    this.o = options;
  }

  /** Listens (a socket left by a daemon that died is replaced: the start checks found none answering). */
  async start(): Promise<void> {
    this.listener = await listenUnix(
      statusSocketPath(this.o.dataDir),
      this.o.mode,
      (socket) => {
        try {
          socket.end(`${JSON.stringify(this.o.snapshot())}\n`);
        } catch (err) {
          this.o.logger.error({ err }, "could not answer a status request");
          socket.destroy();
        }
      },
      this.o.logger,
      "accessgw status reads status.json",
    );
  }

  /** Stops answering and removes the socket. */
  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await closeUnix(listener);
  }
}

/** Asks the daemon of a data folder for its status; null when none answers within `timeoutMs`. */
export function askDaemon(dataDir: string, timeoutMs = ASK_TIMEOUT_MS): Promise<StatusDocument | null> {
  return new Promise((resolveAnswer) => {
    const socket = connect(statusSocketPath(dataDir));
    let text = "";
    const done = (doc: StatusDocument | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolveAnswer(doc);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.length > MAX_ANSWER_BYTES) done(null);
    });
    socket.on("end", () => done(parseAnswer(text)));
    socket.on("error", () => done(null));
  });
}

function parseAnswer(text: string): StatusDocument | null {
  try {
    const parsed = StatusDocument.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * What `accessgw status` concludes about a data folder: the daemon's own answer when it gives one
 * (it runs, whatever the disk), else what the status file says (readStatus).
 */
export async function currentStatus(dataDir: string, probe: StatusProbe = realProbe): Promise<StatusReading> {
  const doc = await askDaemon(dataDir);
  if (doc === null) return readStatus(dataDir, probe);
  if (doc.state === "stopped")
    return { running: false, reason: `stopped cleanly at ${doc.updatedAt}`, status: doc };
  return { running: true, reason: null, status: doc };
}
