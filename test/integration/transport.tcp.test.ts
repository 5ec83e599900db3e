import { createServer, type Server, type Socket } from "node:net";
import { describe, expect, vi } from "vitest";
import { ReconnectingTransport } from "../../drivers/transport/reconnecting.js";
import { type CloseReason, openTransport, type Transport } from "../../drivers/transport/transport.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";

/** A loopback TCP server that records what it receives and can drop everyone. */
interface LoopServer {
  port: number;
  sockets: Socket[];
  received: number[];
  close(): Promise<void>;
}

async function startServer(port = 0): Promise<LoopServer> {
  const sockets: Socket[] = [];
  const received: number[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on("data", (b) => received.push(...b));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    port: address.port,
    sockets,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A scheduler whose timers only run when the test says so. */
function manualScheduler() {
  const timers = new Map<number, () => void>();
  let next = 0;
  const scheduler: Scheduler = {
    setTimeout: (fn) => {
      next += 1;
      timers.set(next, fn);
      return next;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
  };
  const fireAll = () => {
    const due = [...timers.values()];
    timers.clear();
    for (const fn of due) fn();
  };
  return { scheduler, timers, fireAll };
}

function closes(t: Transport): Promise<{ reason: CloseReason; err: Error | undefined }> {
  return new Promise((resolve) => t.on("close", (reason, err) => resolve({ reason, err })));
}

describe("TCP transport", () => {
  it("carries bytes both ways", async ({ defer }) => {
    const server = await startServer();
    defer(server.close);
    const t = await openTransport(`tcp://127.0.0.1:${server.port}`);
    defer(() => t.close());
    const got: number[] = [];
    t.on("data", (b) => got.push(...b));
    await t.write(Uint8Array.of(0xa0, 0x01, 0x01, 0xa2));
    await vi.waitFor(() => expect(server.received).toEqual([0xa0, 0x01, 0x01, 0xa2]), { timeout: 2000 });
    server.sockets[0]?.write(Buffer.from("0012345678\r\n"));
    await vi.waitFor(() => expect(Buffer.from(got).toString()).toBe("0012345678\r\n"), { timeout: 2000 });
  });

  it("reports 'disconnected' with a reason when the server closes", async () => {
    const server = await startServer();
    const target = `tcp://127.0.0.1:${server.port}`;
    const t = await openTransport(target);
    const closed = closes(t);
    await vi.waitFor(() => expect(server.sockets).toHaveLength(1), { timeout: 2000 });
    await server.close();
    const { reason, err } = await closed;
    expect(reason).toBe("disconnected");
    expect(err).toMatchObject({ code: "TRANSPORT_DISCONNECTED", target });
    expect(t.isOpen).toBe(false);
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: "TRANSPORT_NOT_OPEN" });
  });

  it("reports 'canceled' when we close it ourselves", async ({ defer }) => {
    const server = await startServer();
    defer(server.close);
    const t = await openTransport(`tcp://127.0.0.1:${server.port}`);
    const closed = closes(t);
    await t.close();
    await expect(closed).resolves.toEqual({ reason: "canceled", err: undefined });
    await t.close();
  });

  it("fails to open a port nobody listens on with a typed error naming the target", async () => {
    const server = await startServer();
    const port = server.port;
    await server.close();
    const target = `tcp://127.0.0.1:${port}`;
    await expect(openTransport(target)).rejects.toMatchObject({ code: "TRANSPORT_OPEN_FAILED", target });
  });

  it("reconnects after the server goes away and comes back on the same port", async ({ defer }) => {
    let server = await startServer();
    const port = server.port;
    const target = `tcp://127.0.0.1:${port}`;
    const { scheduler, timers, fireAll } = manualScheduler();
    const rt = new ReconnectingTransport({
      logger: silentLogger(),
      target,
      factory: openTransport,
      scheduler,
      random: () => 0.5,
    });
    defer(async () => {
      await rt.stop();
      await server.close();
    });
    const got: number[] = [];
    rt.on("data", (b) => got.push(...b));
    rt.start();
    await vi.waitFor(() => expect(rt.health().state).toBe("open"), { timeout: 2000 });

    await server.close();
    await vi.waitFor(() => expect(rt.health().state).toBe("waiting"), { timeout: 2000 });
    expect(rt.health().lastError).toMatchObject({ code: "TRANSPORT_DISCONNECTED" });
    expect(timers.size).toBe(1);

    // Still down: the attempt fails and it waits again, longer.
    fireAll();
    await vi.waitFor(() => expect(rt.health()).toMatchObject({ state: "waiting", attempts: 1 }), {
      timeout: 2000,
    });
    expect(rt.health().lastError).toMatchObject({ code: "TRANSPORT_OPEN_FAILED" });
    expect(rt.health().retryInMs).toBe(250);

    server = await startServer(port);
    fireAll();
    await vi.waitFor(() => expect(rt.health()).toMatchObject({ state: "open", attempts: 0 }), {
      timeout: 2000,
    });
    await rt.write(Uint8Array.of(0x42));
    await vi.waitFor(() => expect(server.received).toEqual([0x42]), { timeout: 2000 });
    server.sockets[0]?.write(Uint8Array.of(0x43));
    await vi.waitFor(() => expect(got).toEqual([0x43]), { timeout: 2000 });
  });
});
