/**
 * D6 on a PD's two-row display: a message longer than two rows shows a page at a time, the next
 * page TEXT_PAGE_MS later; the next decision's feedback, or the reader's stop, cancels the pages
 * not yet shown, so an old message never overwrites a new one.
 */
import { describe, expect, it } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import type { PdCapabilities, PdCommand } from "../../drivers/osdp/cpTypes.js";
import { TEXT_PAGE_MS } from "../../drivers/osdp/osdpFeedback.js";
import type { OsdpPorts } from "../../drivers/osdp/osdpPorts.js";
import { OsdpReader } from "../../drivers/readers/osdpReader.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

const LOCKED = {
  decision: "deny" as const,
  reason: "pin_locked",
  message: "Too many wrong PINs — try again in 15 minutes or please see reception",
  undone: false,
};
const GRANT = { decision: "grant" as const, reason: "ok", message: "Welcome Pia", undone: false };

/** The gateway's OSDP ports as the reader sees them: the PD's capabilities, and what was sent. */
class FakePorts {
  readonly sent: PdCommand[] = [];
  private capabilities: ((c: PdCapabilities) => void) | undefined;
  on(_port: string, _address: number, event: string, listener: (c: PdCapabilities) => void) {
    if (event === "capabilities") this.capabilities = listener;
    return () => {};
  }
  join(): void {}
  async leave(): Promise<void> {}
  send(_port: string, _address: number, command: PdCommand): Promise<void> {
    this.sent.push(command);
    return Promise.resolve();
  }
  /** The PD reports a display. */
  display(): void {
    this.capabilities?.({
      records: [],
      display: true,
      outputs: 1,
      leds: 1,
      buzzer: true,
      receiveBuffer: undefined,
    });
  }
  /** The rows written since the last call. */
  texts(): string[] {
    return this.sent.splice(0).flatMap((c) => (c.kind === "text" ? [c.text.trim()] : []));
  }
}

/** A scheduler that remembers each timer's delay. */
class DelayScheduler extends ManualScheduler {
  delays(): number[] {
    return [...this.timers.values()].map((t) => t.ms);
  }
}

function rig() {
  const config = GatewayConfig.parse({
    readers: [
      {
        id: "pool-in",
        driver: "osdp",
        port: "/dev/ttyUSB2",
        address: 1,
        secureChannel: "off",
        area: "pool",
        direction: "in",
      },
    ],
  }).readers[0];
  if (config?.driver !== "osdp") throw new Error("no osdp reader");
  const ports = new FakePorts();
  const scheduler = new DelayScheduler();
  const reader = new OsdpReader(config, {
    ports: ports as unknown as OsdpPorts,
    clock: () => 0,
    scheduler,
    logger: silentLogger(),
  });
  reader.start();
  ports.display();
  return { ports, scheduler, reader };
}

describe("D6: a long message on the PD's display", () => {
  it("shows two rows, then the rest TEXT_PAGE_MS later; a short message needs no second page", () => {
    const { ports, scheduler, reader } = rig();
    reader.feedback(LOCKED);
    expect(ports.texts()).toEqual(["Too many wrong PINs - try again", "in 15 minutes or please see"]);
    expect(scheduler.delays()).toEqual([TEXT_PAGE_MS]);
    scheduler.runNext();
    expect(ports.texts()).toEqual(["reception", ""]);

    reader.feedback(GRANT);
    expect(ports.texts()).toEqual(["Welcome Pia"]);
    expect(scheduler.pending).toBe(0);
  });

  it("the next decision's feedback and the reader's stop cancel the pages not yet shown", async () => {
    const { ports, scheduler, reader } = rig();
    reader.feedback(LOCKED);
    reader.feedback(GRANT);
    expect(scheduler.pending).toBe(0);
    expect(ports.texts()).toEqual([
      "Too many wrong PINs - try again",
      "in 15 minutes or please see",
      "Welcome Pia",
    ]);

    reader.feedback(LOCKED);
    expect(scheduler.pending).toBe(1);
    await reader.stop();
    expect(scheduler.pending).toBe(0);
  });
});
