import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TransportError } from "../../drivers/transport/errors.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import { type Health, ReconnectingTransport } from "../../drivers/transport/reconnecting.js";
import type { Transport, TransportEvents } from "../../drivers/transport/transport.js";
import { memoryLogger, silentLogger } from "../helpers/logs.js";

/** An in-memory transport the test can drop. */
class FakeTransport implements Transport {
  readonly target = "fake";
  readonly written: Uint8Array[] = [];
  isOpen = true;
  private readonly listeners = new Listeners<TransportEvents>();
  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }
  async write(bytes: Uint8Array): Promise<void> {
    this.written.push(bytes);
  }
  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.listeners.emit("close", "canceled");
  }
  receive(bytes: Uint8Array): void {
    this.listeners.emit("data", bytes);
  }
  drop(): void {
    this.isOpen = false;
    this.listeners.emit("close", "disconnected", new Error("cable pulled"));
  }
}

/** A factory that fails while `down` is true and otherwise hands out FakeTransports. */
function fakeFactory() {
  const state = { down: false, opened: [] as FakeTransport[], calls: 0 };
  const factory = async () => {
    state.calls += 1;
    if (state.down) throw new TransportError("TRANSPORT_OPEN_FAILED", "fake", "no such device");
    const t = new FakeTransport();
    state.opened.push(t);
    return t;
  };
  return { state, factory };
}

describe("ReconnectingTransport (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens, relays data and writes, and says it is open", async () => {
    const { state, factory } = fakeFactory();
    const rt = new ReconnectingTransport({
      logger: silentLogger(),
      target: "fake",
      factory,
      random: () => 0.5,
    });
    const got: number[] = [];
    rt.on("data", (b) => got.push(...b));
    rt.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(rt.health()).toMatchObject({ state: "open", attempts: 0, lastError: undefined });
    state.opened[0]?.receive(Uint8Array.of(1, 2));
    await rt.write(Uint8Array.of(9));
    expect(got).toEqual([1, 2]);
    expect(state.opened[0]?.written).toEqual([Uint8Array.of(9)]);
    await rt.stop();
    expect(rt.health().state).toBe("stopped");
    expect(state.opened[0]?.isOpen).toBe(false);
  });

  it("logs its own changes: open at info, a disconnect at warn with the reason and the retry delay", async () => {
    const { state, factory } = fakeFactory();
    const { logger, lines } = memoryLogger();
    const rt = new ReconnectingTransport({ logger, target: "fake", factory, random: () => 0.5 });
    rt.start();
    await vi.advanceTimersByTimeAsync(0);
    state.opened[0]?.drop();
    expect(lines.filter((l) => l.level !== "debug")).toEqual([
      { level: "info", target: "fake", state: "open", msg: "link open" },
      {
        level: "warn",
        target: "fake",
        state: "waiting",
        reason: "cable pulled",
        retryInMs: expect.any(Number),
        msg: "link down, retrying",
      },
    ]);
    await rt.stop();
  });

  it("retries a failing open with growing jittered delays and keeps the reason", async () => {
    const { state, factory } = fakeFactory();
    state.down = true;
    const backoff = { baseMs: 100, factor: 2, capMs: 1000, jitter: "full" as const };
    const rt = new ReconnectingTransport({
      logger: silentLogger(),
      target: "fake",
      factory,
      backoff,
      random: () => 0.5,
    });
    const waits: (number | undefined)[] = [];
    rt.on("health", (h: Health) => {
      if (h.state === "waiting") waits.push(h.retryInMs);
    });
    rt.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(rt.health()).toMatchObject({ state: "waiting", attempts: 1, retryInMs: 50, since: 1_000_000 });
    expect(rt.health().lastError?.message).toMatch(/no such device/);
    await vi.advanceTimersByTimeAsync(50 + 100 + 200 + 400 + 500 + 500);
    expect(waits).toEqual([50, 100, 200, 400, 500, 500, 500]);
    expect(state.calls).toBe(7);
    expect(rt.health().attempts).toBe(7);
    state.down = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(rt.health()).toMatchObject({ state: "open", attempts: 0, since: 1_000_000 + 1750 + 500 });
    await rt.stop();
  });

  it("reopens after a disconnect, starting the backoff again", async () => {
    const { state, factory } = fakeFactory();
    const rt = new ReconnectingTransport({
      logger: silentLogger(),
      target: "fake",
      factory,
      random: () => 0,
    });
    const got: number[] = [];
    rt.on("data", (b) => got.push(...b));
    rt.start();
    await vi.advanceTimersByTimeAsync(0);
    state.opened[0]?.drop();
    expect(rt.health()).toMatchObject({ state: "waiting", attempts: 0, retryInMs: 0 });
    expect(rt.health().lastError?.message).toBe("cable pulled");
    await expect(rt.write(Uint8Array.of(1))).rejects.toMatchObject({ code: "TRANSPORT_NOT_OPEN" });
    await vi.advanceTimersByTimeAsync(0);
    expect(rt.health().state).toBe("open");
    state.opened[1]?.receive(Uint8Array.of(7));
    state.opened[0]?.receive(Uint8Array.of(8)); // late bytes from the dropped one are ignored
    expect(got).toEqual([7]);
    await rt.stop();
  });

  it("stop() cancels a pending retry so nothing opens afterwards", async () => {
    const { state, factory } = fakeFactory();
    state.down = true;
    const rt = new ReconnectingTransport({
      logger: silentLogger(),
      target: "fake",
      factory,
      random: () => 0.9,
    });
    rt.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(rt.health().state).toBe("waiting");
    await rt.stop();
    state.down = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.calls).toBe(1);
    expect(rt.health().state).toBe("stopped");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stop() during an open in progress closes what it opened", async () => {
    const { state, factory } = fakeFactory();
    const rt = new ReconnectingTransport({ logger: silentLogger(), target: "fake", factory });
    rt.start();
    await rt.stop();
    expect(state.opened).toHaveLength(1);
    expect(state.opened[0]?.isOpen).toBe(false);
    expect(rt.health().state).toBe("stopped");
  });
});
