/**
 * The command line's side of the control socket (controlSocket.ts): sends one command (or one
 * daemon-level request, daemonRequests.ts) to the running daemon of a data folder and waits for
 * its answer.
 */
import { connect } from "node:net";
import type { CommandMessage } from "../../config/protocol/commands.js";
import type { DaemonReply, DaemonRequest } from "../daemonRequests.js";
import type { CommandReply } from "./commandService.js";
import { controlSocketPath } from "./controlSocket.js";

/** How long the command line waits for the daemon's answer (an admit decides and pulses a door). */
export const ANSWER_TIMEOUT_MS = 15_000;

/** What became of a command (or a daemon-level request) sent to the daemon. */
export type ControlOutcome<R = CommandReply> =
  | { kind: "answer"; reply: R }
  /** No daemon listens on the data folder (no socket, or nobody behind it). */
  | { kind: "notRunning"; why: string }
  /** The socket is there but this user may not open it (not the daemon's user or group). */
  | { kind: "denied"; why: string }
  /** The daemon took the command but did not answer in time, or answered nonsense. */
  | { kind: "noAnswer"; why: string };

/** Sends `command` to the daemon of `dataDir` and resolves with its answer (never rejects). */
export function sendCommand(
  dataDir: string,
  command: CommandMessage | DaemonRequest,
  timeoutMs = ANSWER_TIMEOUT_MS,
): Promise<ControlOutcome> {
  return exchange(dataDir, command, timeoutMs, "a command result");
}

/** Sends a daemon-level request (`{"daemon": "reload"}`) and resolves with its answer (never rejects). */
export function sendDaemonRequest(
  dataDir: string,
  request: DaemonRequest,
  timeoutMs = ANSWER_TIMEOUT_MS,
): Promise<ControlOutcome<DaemonReply>> {
  return exchange(dataDir, request, timeoutMs, "a daemon answer");
}

/** One request line out, one answer line back (an object with a boolean `ok`). */
function exchange<R extends { ok: boolean }>(
  dataDir: string,
  message: unknown,
  timeoutMs: number,
  what: string,
): Promise<ControlOutcome<R>> {
  const path = controlSocketPath(dataDir);
  return new Promise((resolveOutcome) => {
    const socket = connect(path);
    let text = "";
    let settled = false;
    const done = (outcome: ControlOutcome<R>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolveOutcome(outcome);
    };
    const timer = setTimeout(
      () => done({ kind: "noAnswer", why: `no answer within ${timeoutMs / 1000} s on ${path}` }),
      timeoutMs,
    );
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(message)}\n`));
    socket.on("data", (chunk: string) => {
      text += chunk;
      const newline = text.indexOf("\n");
      if (newline >= 0) done(readReply<R>(text.slice(0, newline), what));
    });
    socket.on("end", () => done({ kind: "noAnswer", why: `the daemon closed ${path} without an answer` }));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EACCES" || err.code === "EPERM")
        done({
          kind: "denied",
          why: `${path}: permission denied (only the daemon's user and group may use it)`,
        });
      else if (err.code === "ENOENT" || err.code === "ECONNREFUSED")
        done({ kind: "notRunning", why: `no daemon answers on ${path}` });
      else done({ kind: "noAnswer", why: `${path}: ${err.code ?? err.message}` });
    });
  });
}

function readReply<R extends { ok: boolean }>(line: string, what: string): ControlOutcome<R> {
  try {
    const reply = JSON.parse(line) as R;
    if (typeof reply === "object" && reply !== null && typeof reply.ok === "boolean")
      return { kind: "answer", reply };
  } catch {
    // answered below
  }
  return { kind: "noAnswer", why: `the daemon's answer is not ${what}: ${line.slice(0, 200)}` };
}
