/**
 * The worker thread that validates `changes` and `sync` payloads (partChecker.ts): JSON decoding
 * and the zod parse of the member documents run here, on the second core, while the main thread
 * writes the previous part. A valid payload's members go back in slices of a few dozen, each its
 * own message, so the main thread takes them in between scans rather than in one long block.
 */
import { parentPort } from "node:worker_threads";
import { parseSyncPayload } from "../../config/protocol/payloads.js";

/** What the main thread asks: one payload to validate, under an id it chose. */
export interface PartCheckRequest {
  id: number;
  kind: "changes" | "sync";
  topic: string;
  bytes: Uint8Array;
  maxBytes: number;
}

/**
 * What the worker posts for a request: its members in slices (in order), then its end — the
 * payload without its members, or the problem that refuses it.
 */
export type PartCheckReply =
  | { id: number; type: "members"; members: unknown[] }
  | { id: number; type: "end"; ok: true; envelope: Record<string, unknown> }
  | { id: number; type: "end"; ok: false; problem: string };

/** Members per reply message: each message is taken by the main thread in one go. */
export const REPLY_SLICE = 50;

const port = parentPort;
if (port)
  port.on("message", (req: PartCheckRequest) => {
    const parsed = parseSyncPayload(req.kind, req.topic, req.bytes, req.maxBytes);
    if (!parsed.ok) {
      port.postMessage({
        id: req.id,
        type: "end",
        ok: false,
        problem: parsed.problem,
      } satisfies PartCheckReply);
      return;
    }
    const { members, ...envelope } = parsed.value;
    for (let start = 0; start < members.length; start += REPLY_SLICE)
      port.postMessage({
        id: req.id,
        type: "members",
        members: members.slice(start, start + REPLY_SLICE),
      } satisfies PartCheckReply);
    port.postMessage({ id: req.id, type: "end", ok: true, envelope } satisfies PartCheckReply);
  });
