/**
 * Requests to the daemon itself over the control socket (`{"daemon": "<verb>", …}`), beside the
 * front desk's commands: `reload` (cli.md), and any other daemon-level verb added to the map the
 * daemon hands its control socket (startCommand.ts). Each answer is one JSON line
 * `{"daemon": "<verb>", "ok": true|false, "error"?: "…", …what the verb reports}`.
 */

/** A daemon-level request: the verb, and whatever arguments it takes. */
export interface DaemonRequest {
  daemon: string;
  [arg: string]: unknown;
}

/** A daemon-level answer. */
export interface DaemonReply {
  ok: boolean;
  /** Why it was refused, for a person. */
  error?: string | null;
  [field: string]: unknown;
}

/** Carries out one daemon-level request; a throw is answered as a failure by the socket. */
export type DaemonHandler = (request: DaemonRequest) => Promise<DaemonReply>;

/** The daemon-level verbs a daemon answers. */
export type DaemonHandlers = Readonly<Record<string, DaemonHandler>>;

/** Whether a parsed request line is a daemon-level request rather than a front-desk command. */
export function isDaemonRequest(request: unknown): request is DaemonRequest {
  return (
    typeof request === "object" &&
    request !== null &&
    !Array.isArray(request) &&
    typeof (request as { daemon?: unknown }).daemon === "string"
  );
}

/** Answers a daemon-level request with its handler, or says the verb is unknown (naming those it knows). */
export async function answerDaemonRequest(
  handlers: DaemonHandlers,
  request: DaemonRequest,
): Promise<DaemonReply & { daemon: string; known: boolean }> {
  const verb = request.daemon;
  const handler = Object.hasOwn(handlers, verb) ? handlers[verb] : undefined;
  if (handler === undefined) {
    const known = Object.keys(handlers).join(", ") || "none";
    return {
      daemon: verb,
      known: false,
      ok: false,
      error: `invalid: unknown daemon request "${verb}" (known: ${known})`,
    };
  }
  return { ...(await handler(request)), daemon: verb, known: true };
}
