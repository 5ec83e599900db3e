/**
 * A fake OSDP link that plays a libosdp trace's PD: each packet the control panel writes is kept,
 * and while it matches the trace's next CP block (mark byte included) the trace's next PD block is
 * the answer. On the first mismatch it stops answering, so the test sees where the CP went wrong.
 */
import type { OsdpLink } from "../../drivers/osdp/osdpBus.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import type { TraceBlock } from "./trace.js";
import { toHex } from "./tracePackets.js";

/** The trace player: `sent` is what the CP wrote (hex), `expected` what the trace's CP wrote. */
export class TraceLink implements OsdpLink {
  readonly sent: string[] = [];
  readonly expected: string[];
  private readonly replies: Uint8Array[];
  private readonly listeners = new Listeners<{ data: (bytes: Uint8Array) => void }>();
  private readonly beforeReply: (index: number) => void;
  private diverged = false;

  /** `beforeReply(i)` runs just before the i-th PD block (from 0) is delivered. */
  constructor(blocks: TraceBlock[], beforeReply: (index: number) => void = () => {}) {
    this.expected = blocks.filter((b) => b.direction === "cp").map((b) => toHex(b.bytes));
    this.replies = blocks.filter((b) => b.direction === "pd").map((b) => b.bytes);
    this.beforeReply = beforeReply;
  }

  /** Whether every CP block of the trace was written, in order, and nothing else. */
  get finished(): boolean {
    return !this.diverged && this.sent.length === this.expected.length;
  }

  on(event: "data", listener: (bytes: Uint8Array) => void): () => void {
    return this.listeners.on(event, listener);
  }

  write(bytes: Uint8Array): Promise<void> {
    const index = this.sent.length;
    this.sent.push(toHex(bytes));
    if (this.diverged || this.sent[index] !== this.expected[index]) {
      this.diverged = true;
      return Promise.resolve();
    }
    const reply = this.replies[index];
    if (reply !== undefined)
      queueMicrotask(() => {
        this.beforeReply(index);
        this.listeners.emit("data", reply);
      });
    return Promise.resolve();
  }
}
