import { execFileSync } from "node:child_process";
import { closeSync, constants, open as openAsync, openSync } from "node:fs";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { beforeAll, describe, expect, vi } from "vitest";
import { ReconnectingTransport } from "../../drivers/transport/reconnecting.js";
import { type CloseReason, openTransport, type Transport } from "../../drivers/transport/transport.js";
import { test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat, startPtyPair } from "../helpers/socat.js";

/** Opens the far end of a pty pair with serialport directly, as a device would sit there. */
const it = test.extend(
  "openPeer",
  ({ defer }) =>
    async (path: string): Promise<{ port: SerialPort; received: number[] }> => {
      const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
      const received: number[] = [];
      port.on("data", (b: Buffer) => received.push(...b));
      port.on("error", () => {});
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
      defer(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
      return { port, received };
    },
);

/**
 * Occupies every thread of Node's pool: each opens a FIFO for reading, which blocks until a writer
 * comes. Returns the release, which lets every open finish and closes what it opened.
 */
function occupyThreadPool(dir: string): () => Promise<void> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: threads }, (_, i) => join(dir, `pool-${i}.fifo`));
  execFileSync("mkfifo", fifos);
  const opened = fifos.map(
    (fifo) =>
      new Promise<number>((resolve, reject) =>
        openAsync(fifo, "r", (err, fd) => (err ? reject(err) : resolve(fd))),
      ),
  );
  return async () => {
    const writers = fifos.map((fifo) => openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    for (const fd of await Promise.all(opened)) closeSync(fd);
    for (const fd of writers) closeSync(fd);
  };
}

function closes(t: Transport): Promise<{ reason: CloseReason; err: Error | undefined }> {
  return new Promise((resolve) => t.on("close", (reason, err) => resolve({ reason, err })));
}

describe("serial transport over socat pseudo-terminals", () => {
  beforeAll(() => {
    requireSocat();
  });

  it("carries bytes both ways at 9600 baud", async ({ defer, ptyPair, openPeer }) => {
    const { a, b } = await ptyPair();
    const t = await openTransport(a, { baudRate: 9600 });
    defer(() => t.close());
    const peer = await openPeer(b);
    const got: number[] = [];
    t.on("data", (bytes) => got.push(...bytes));

    await t.write(Uint8Array.of(0x02, 0x31, 0x32, 0x03));
    await vi.waitFor(() => expect(peer.received).toEqual([0x02, 0x31, 0x32, 0x03]), { timeout: 3000 });
    await new Promise<void>((resolve, reject) =>
      peer.port.write(Buffer.from("0004318976\r\n"), (err) => (err ? reject(err) : resolve())),
    );
    await vi.waitFor(() => expect(Buffer.from(got).toString()).toBe("0004318976\r\n"), { timeout: 3000 });
  });

  it("reads and writes while every thread of Node's pool is busy", async ({
    defer,
    ptyPair,
    folder: { dir },
  }) => {
    const { a, b } = await ptyPair();
    const t = await openTransport(a, { baudRate: 9600 });
    defer(() => t.close());
    const peer = await openTransport(b, { baudRate: 9600 });
    defer(() => peer.close());
    const got = { t: [] as number[], peer: [] as number[] };
    t.on("data", (bytes) => got.t.push(...bytes));
    peer.on("data", (bytes) => got.peer.push(...bytes));
    const release = occupyThreadPool(dir);
    let released = false;
    defer(() => (released ? undefined : release()));

    // Not awaited: through the pool, the write itself would wait for the release.
    const writes = [t.write(Uint8Array.of(0x01, 0x02)), peer.write(Uint8Array.of(0x03))];
    await vi.waitFor(() => expect(got).toEqual({ t: [0x03], peer: [0x01, 0x02] }), { timeout: 3000 });
    await Promise.all(writes);
    released = true;
    await release();
  });

  it("reports 'canceled' when we close the port ourselves", async ({ ptyPair }) => {
    const { a } = await ptyPair();
    const t = await openTransport(a);
    const closed = closes(t);
    await t.close();
    await expect(closed).resolves.toEqual({ reason: "canceled", err: undefined });
    expect(t.isOpen).toBe(false);
  });

  it("reports 'disconnected' when the device goes away (socat killed)", async ({ defer, ptyPair }) => {
    const p = await ptyPair();
    const t = await openTransport(p.a);
    defer(() => t.close());
    const closed = closes(t);
    await p.stop();
    const { reason, err } = await closed;
    expect(reason).toBe("disconnected");
    expect(err).toMatchObject({ code: "TRANSPORT_DISCONNECTED", target: p.a });
  });

  it("reopens the same linked path after the device comes back and data flows again", async ({
    folder: { dir },
    defer,
    openPeer,
  }) => {
    const links = { a: join(dir, "reader"), b: join(dir, "device") };
    let p = await startPtyPair(links);
    defer(() => p.stop());

    const rt = new ReconnectingTransport({
      logger: silentLogger(),
      target: links.a,
      factory: openTransport,
      transportOptions: { baudRate: 9600 },
      backoff: { baseMs: 20, factor: 2, capMs: 200, jitter: "equal" },
    });
    defer(() => rt.stop());
    const got: number[] = [];
    rt.on("data", (bytes) => got.push(...bytes));
    rt.start();
    await vi.waitFor(() => expect(rt.health().state).toBe("open"), { timeout: 3000 });

    const first = await openPeer(links.b);
    first.port.write(Buffer.of(0x11));
    await vi.waitFor(() => expect(got).toEqual([0x11]), { timeout: 3000 });

    // Closed first: the plain serialport binding would spin on the hung-up pty until closed.
    await new Promise<void>((resolve) => first.port.close(() => resolve()));
    await p.stop();
    await vi.waitFor(() => expect(rt.health().state).not.toBe("open"), { timeout: 3000 });
    expect(rt.health().lastError).toBeDefined();

    p = await startPtyPair(links);
    await vi.waitFor(() => expect(rt.health().state).toBe("open"), { timeout: 5000 });
    const second = await openPeer(links.b);
    second.port.write(Buffer.of(0x22));
    await vi.waitFor(() => expect(got).toEqual([0x11, 0x22]), { timeout: 3000 });
    await rt.write(Uint8Array.of(0x33));
    await vi.waitFor(() => expect(second.received).toEqual([0x33]), { timeout: 3000 });
  });
});
