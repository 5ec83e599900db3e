/**
 * doors.md D5: the front desk's way into a running daemon from the gateway's own command line, a
 * Unix socket in the data folder (`control.sock`) that only the daemon's user and group can open
 * (its mode and the folder's follow gateway.dataGroup, as the status socket's do).
 * The protocol is line-delimited JSON: each request line is a command (config/protocol/commands.ts)
 * and gets one answer line (a CommandReply), in order. A line that is not JSON, too long, or not a
 * command is answered with an error that says so and counted; the connection stays usable unless
 * the line was too long to read. A line `{"daemon": "<verb>", …}` is a request to the daemon itself
 * (gateway/daemonRequests.ts: `reload`…), answered by the daemon's handler for that verb.
 */

import type { Socket } from "node:net";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { answerDaemonRequest, type DaemonHandlers, isDaemonRequest } from "../daemonRequests.js";
import type { Feature } from "../features/controller.js";
import { closeUnix, listenUnix, type UnixListener } from "../unixSocket.js";
import type { CommandReply } from "./commandService.js";

/** The socket's name inside the data folder. */
export const CONTROL_SOCKET = "control.sock";
/** A request line longer than this is no command: answered with an error, the connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** A connection that sends nothing for this long is closed. */
export const IDLE_MS = 60_000;

/** Where the control socket of a data folder is. */
export function controlSocketPath(dataDir: string): string {
  return join(resolve(dataDir), CONTROL_SOCKET);
}

/** What a ControlSocket counts. */
export interface ControlCounters {
  requests: number;
  badRequests: number;
}

/** What a ControlSocket is handed. */
export interface ControlSocketOptions {
  dataDir: string;
  /**
   * Who may connect (connecting needs write permission): 0600, the daemon's user, or 0660 with
   * gateway.dataGroup, whose members reach the folder (2750) too. D5: nobody else.
   */
  mode: number;
  /** Carries out one request (any JSON value) and answers; never throws. */
  handle: (request: unknown) => Promise<CommandReply>;
  /** The daemon-level verbs (`{"daemon": "reload"}`); none when left out. */
  daemon?: DaemonHandlers;
  logger: Logger;
}

/** An answer to a line that carried no command. */
const refusal = (error: string): Omit<CommandReply, "id"> & { id: null } => ({
  id: null,
  ok: false,
  error,
  eventId: null,
  replayed: false,
  commandEventId: null,
  decision: null,
  doorEventIds: [],
});

/** The daemon's side: a feature that listens on `<data>/control.sock` while the daemon runs. */
export class ControlSocket implements Feature {
  readonly name = "control socket";
  private readonly o: ControlSocketOptions;
  private listener: UnixListener | undefined;
  private readonly totals: ControlCounters = { requests: 0, badRequests: 0 };

  constructor(options: ControlSocketOptions) {
    this.o = options;
  }

  /** The running totals (a copy). */
  counters(): ControlCounters {
    return { ...this.totals };
  }

  /** Listens with its mode (a socket a dead daemon left is replaced). */
  async start(): Promise<void> {
    this.listener = await listenUnix(
      controlSocketPath(this.o.dataDir),
      this.o.mode,
      (socket) => this.serve(socket),
      this.o.logger,
      "the front desk's verbs cannot reach this daemon (use a shorter data folder path)",
    );
  }

  /** Stops answering, ends open connections and removes the socket. */
  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await closeUnix(listener);
  }

  /** Reads request lines and answers each in turn. */
  private serve(socket: Socket): void {
    let buffered = "";
    let queue: Promise<void> = Promise.resolve();
    socket.setEncoding("utf8");
    socket.setTimeout(IDLE_MS, () => socket.end());
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        // The daemon never falls over on what a client sends: a failure is logged, the client told.
        if (line.trim() !== "")
          queue = queue
            .then(() => this.answer(socket, line))
            .catch((err: unknown) => {
              this.o.logger.error({ err }, "control socket: could not answer a request");
              write(socket, refusal(`failed: ${(err as Error).message}`));
            });
        newline = buffered.indexOf("\n");
      }
      if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) {
        buffered = "";
        this.bad(`a request line longer than ${MAX_REQUEST_BYTES} bytes`);
        socket.end(
          `${JSON.stringify(refusal(`invalid: a request is one JSON line of at most ${MAX_REQUEST_BYTES} bytes`))}\n`,
        );
        socket.pause();
      }
    });
  }

  /** Answers one request line. */
  private async answer(socket: Socket, line: string): Promise<void> {
    this.totals.requests++;
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch (err) {
      this.bad("a request line that is not JSON");
      return void write(socket, refusal(`invalid: the request is not JSON (${(err as Error).message})`));
    }
    if (isDaemonRequest(request)) {
      const answer = await answerDaemonRequest(this.o.daemon ?? {}, request);
      if (!answer.known) this.bad(`an unknown daemon request "${request.daemon.slice(0, 40)}"`);
      const { known: _known, ...reply } = answer;
      return void write(socket, reply);
    }
    const reply = await this.o.handle(request);
    // The command service has logged why; the socket counts it with the rest of its bad input.
    if (reply.error?.startsWith("invalid: ") && reply.commandEventId === null) this.totals.badRequests++;
    write(socket, reply);
  }

  private bad(what: string): void {
    this.totals.badRequests++;
    this.o.logger.warn({ badRequests: this.totals.badRequests }, `control socket: ${what}`);
  }
}

/** Writes one answer line unless the client has gone. */
function write(socket: Socket, value: unknown): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(value)}\n`);
}
