import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import type { StatusReader, StatusRelay } from "../../config/statusDocument.js";
import { devicesSettled, serviceStatusLine } from "../../gateway/serviceStatus.js";
import { notifyEnvironment, ServiceNotifier, unixDatagramSender } from "../../runtime/serviceNotify.js";
import { it } from "../harness/index.js";
import { memoryLogger } from "../helpers/logs.js";
import { IDLE_STATUS } from "../helpers/monitored.js";
import { fakeNotifySocket } from "../helpers/notifySocket.js";

/** A notifier on the real sender; `sent` lists each message as it left (the socket gets it a moment later). */
function notifier(env: NodeJS.ProcessEnv, log = memoryLogger()) {
  const sent: string[] = [];
  const n = new ServiceNotifier({
    environment: notifyEnvironment(env, 4242),
    logger: log.logger,
    send: (path, message) => {
      unixDatagramSender(path, message);
      sent.push(message.toString("utf8"));
    },
    monotonicUsec: () => 123_456_789n,
  });
  return Object.assign(n, { sent });
}

/** Waits until the fake socket received exactly these datagrams. */
function receives(sock: { received: string[] }, expected: string[]): Promise<void> {
  return vi.waitFor(() => expect(sock.received).toEqual(expected), { timeout: 2000, interval: 10 });
}

describe("the notify environment (sd_notify(3))", () => {
  it("takes a socket path and pings the watchdog at half of WATCHDOG_USEC", () => {
    expect(notifyEnvironment({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "20000000" }, 1)).toEqual(
      {
        socket: "/run/systemd/notify",
        watchdogMs: 10_000,
        problems: [],
      },
    );
  });

  it("does nothing without NOTIFY_SOCKET, even with a watchdog", () => {
    expect(notifyEnvironment({ WATCHDOG_USEC: "20000000" }, 1)).toEqual({
      socket: null,
      watchdogMs: null,
      problems: [],
    });
  });

  it("leaves the watchdog to the process WATCHDOG_PID names", () => {
    const env = { NOTIFY_SOCKET: "/n", WATCHDOG_USEC: "4000000" };
    expect(notifyEnvironment({ ...env, WATCHDOG_PID: "7" }, 8).watchdogMs).toBeNull();
    expect(notifyEnvironment({ ...env, WATCHDOG_PID: "8" }, 8).watchdogMs).toBe(2000);
  });

  it("names a bad value instead of guessing", () => {
    expect(notifyEnvironment({ NOTIFY_SOCKET: "/n", WATCHDOG_USEC: "soon" }, 1)).toEqual({
      socket: "/n",
      watchdogMs: null,
      problems: ['WATCHDOG_USEC "soon" is not a positive whole number of microseconds; no watchdog'],
    });
    expect(notifyEnvironment({ NOTIFY_SOCKET: "relative.sock" }, 1).socket).toBeNull();
  });
});

describe("the notifier against a fake notify socket", () => {
  it("sends READY=1 with the first STATUS=, then STATUS= only when the line changes", async ({
    folder,
    defer,
  }) => {
    const sock = fakeNotifySocket(folder.dir, defer);
    const n = notifier({ NOTIFY_SOCKET: sock.path });
    n.status("before the start"); // not sent: systemd hears nothing before READY=1
    n.ready("1 of 1 reader and 0 of 0 relays connected, 0 problems");
    n.status("1 of 1 reader and 0 of 0 relays connected, 0 problems");
    n.status("0 of 1 reader and 0 of 0 relays connected, 1 problem");
    n.status("0 of 1 reader and 0 of 0 relays connected, 1 problem");
    await receives(sock, [
      "READY=1\nSTATUS=1 of 1 reader and 0 of 0 relays connected, 0 problems",
      "STATUS=0 of 1 reader and 0 of 0 relays connected, 1 problem",
    ]);
  });

  it("sends RELOADING=1 with MONOTONIC_USEC, READY=1 after it, and STOPPING=1", async ({ folder, defer }) => {
    const sock = fakeNotifySocket(folder.dir, defer);
    const n = notifier({ NOTIFY_SOCKET: sock.path });
    n.ready();
    n.reloading();
    n.ready();
    n.stopping();
    await receives(sock, ["READY=1", "RELOADING=1\nMONOTONIC_USEC=123456789", "READY=1", "STOPPING=1"]);
  });

  it("pings WATCHDOG=1 from a timer at half the timeout, and stops pinging when stopped", async ({
    folder,
    defer,
  }) => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    defer(() => vi.useRealTimers());
    const sock = fakeNotifySocket(folder.dir, defer);
    const n = notifier({ NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: "3000000" });
    n.start();
    vi.advanceTimersByTime(1499);
    expect(n.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(n.sent).toEqual(["WATCHDOG=1"]);
    vi.advanceTimersByTime(3000);
    expect(n.sent).toEqual(["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"]);
    n.stop();
    vi.advanceTimersByTime(6000);
    expect(n.sent).toHaveLength(3);
    await receives(sock, ["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"]);
  });

  it("warns once and goes on when the socket cannot be reached", ({ folder }) => {
    const log = memoryLogger();
    const n = notifier({ NOTIFY_SOCKET: join(folder.dir, "nobody-listens.sock") }, log);
    n.ready("x");
    n.status("y");
    n.stopping();
    expect(log.at("warn")).toHaveLength(1);
    expect(log.at("warn")[0]?.msg).toMatch(/cannot reach NOTIFY_SOCKET/);
    expect(JSON.stringify(log.at("warn")[0]?.err)).toMatch(/ENOENT/);
  });

  it("says an abstract socket cannot be reached, once, instead of failing", () => {
    const log = memoryLogger();
    const n = notifier({ NOTIFY_SOCKET: "@accessgw-test" }, log);
    n.ready();
    n.stopping();
    expect(log.at("warn")).toHaveLength(1);
    expect(JSON.stringify(log.at("warn")[0]?.err)).toMatch(/abstract socket/);
  });

  it("stays silent and sends nothing without NOTIFY_SOCKET", () => {
    const log = memoryLogger();
    const n = notifier({}, log);
    n.start();
    n.ready("x");
    n.stopping();
    n.stop();
    expect(n.enabled).toBe(false);
    expect(log.lines).toEqual([]);
  });
});

const reader = (id: string, state: string, reason: string | null) =>
  ({ id, state, reason }) as unknown as StatusReader;
const relay = (id: string, state: string, reason: string | null) =>
  ({ id, state, reason }) as unknown as StatusRelay;
const status = (over: Partial<Parameters<typeof serviceStatusLine>[0]>) => ({
  ...IDLE_STATUS,
  ...over,
});

describe("the STATUS= line", () => {
  it("counts connected readers and relays, problems, and the sync link", () => {
    const s = status({
      readers: [reader("a", "open", null), reader("b", "waiting", "ENOENT")],
      relays: [relay("r", "open", null)],
      problems: ["reader b: not connected (ENOENT), retrying"],
    });
    expect(serviceStatusLine(s)).toBe("1 of 2 readers and 1 of 1 relay connected, 1 problem");
    const synced = { ...s, sync: { state: "open" } } as unknown as Parameters<typeof serviceStatusLine>[0];
    expect(serviceStatusLine(synced)).toBe(
      "1 of 2 readers and 1 of 1 relay connected, 1 problem, sync connected",
    );
    expect(serviceStatusLine(status({ state: "stopping" }))).toBe("stopping");
  });

  it("READY=1 waits while a reader or relay is in its first connection attempt, not while one retries", () => {
    expect(devicesSettled(status({ readers: [reader("a", "connecting", null)] }))).toBe(false);
    expect(devicesSettled(status({ relays: [relay("r", "connecting", null)] }))).toBe(false);
    expect(
      devicesSettled(
        status({ readers: [reader("a", "connecting", "ENOENT")], relays: [relay("r", "open", null)] }),
      ),
    ).toBe(true);
  });
});
