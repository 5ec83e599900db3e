import { once } from "node:events";
import { createServer } from "node:net";
import mqtt from "mqtt";
import { describe, expect } from "vitest";
import { openTcpTransport } from "../../drivers/transport/tcpTransport.js";
import { expectedCause } from "../../runtime/logErrors.js";
import { type LogFormat, type LogLevel, makeLogger } from "../../runtime/logger.js";
import { prettyFormatter } from "../../runtime/prettyLog.js";
import { it } from "../harness/index.js";

/** 2026-12-14 06:02:11Z: 07:02:11 in Rome. */
const T = Date.parse("2026-12-14T06:02:11Z");

/** A real logger writing into an array, as the daemon's would to stderr. */
function capture(level: LogLevel, format: LogFormat, zone: string | null = "Europe/Rome") {
  const out: string[] = [];
  const logger = makeLogger(level, format, { zone: () => zone, destination: { write: (t) => out.push(t) } });
  return { logger, out };
}

/** A 127.0.0.1 port nobody listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** The error of a real connection to a closed port, through our TCP transport. */
async function refusedConnection(port: number): Promise<Error> {
  try {
    await openTcpTransport("board", "127.0.0.1", port);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`something listens on 127.0.0.1:${port}`);
}

const grant = {
  level: 30,
  time: T,
  msg: "scan granted",
  readerId: "pool-in",
  door: "pool-in",
  decision: "grant",
  reason: "ok",
  memberId: "m-ada",
  memberName: "Ada Lovelace",
  message: "Welcome Ada — 8/10 left",
  card: "…5834",
};

describe("§6 pretty logs: one line per decision, read at a glance", () => {
  const pretty = prettyFormatter({ zone: () => "Europe/Rome", colorize: false });

  it("renders a grant as time in the site's zone, door, GRANTED, name, message, reason", () => {
    expect(pretty(JSON.stringify(grant))).toBe(
      '07:02:11 pool-in  GRANTED  Ada Lovelace  "Welcome Ada — 8/10 left"  ok\n',
    );
  });

  it("renders a deny of an unknown card with its masked number in place of a name", () => {
    const deny = { ...grant, decision: "deny", reason: "unknown_card", memberId: null, memberName: null };
    expect(pretty(JSON.stringify({ ...deny, door: null, message: "Tessera non valida" }))).toBe(
      '07:02:11 pool-in  DENIED   card …5834  "Tessera non valida"  unknown_card\n',
    );
  });

  it("shows every other entry as one line with its fields, the time in the site's zone", () => {
    const line = pretty(JSON.stringify({ level: 30, time: T, msg: "gateway started", readers: 2 }));
    expect(line).toMatch(/^07:02:11 INFO.*gateway started.*"readers":2/);
    expect(line.trimEnd().split("\n")).toHaveLength(1);
  });

  it("JSON logs keep every field of the decision (and the card masked)", () => {
    const { logger, out } = capture("info", "json");
    const { level: _l, time: _t, msg, ...fields } = grant;
    logger.info(fields, msg);
    expect(JSON.parse(out[0] ?? "")).toMatchObject({ ...fields, msg, level: 30 });
  });

  it("a pretty logger writes the decision line", () => {
    const { logger, out } = capture("info", "pretty");
    const { level: _l, time: _t, msg, ...fields } = grant;
    logger.info(fields, msg);
    expect(out.join("")).toMatch(/^\d\d:\d\d:\d\d pool-in {2}GRANTED {2}Ada Lovelace {2}"Welcome Ada/);
  });
});

describe("§6 expected network errors: one line with the cause, the stack only at debug", () => {
  it("a real refused TCP connection logs at warn as one pretty line naming ECONNREFUSED", async () => {
    const err = await refusedConnection(await closedPort());
    const { logger, out } = capture("info", "pretty");
    logger.warn({ err, target: "board" }, "link down, retrying");
    const text = out.join("");
    expect(text.trimEnd().split("\n")).toHaveLength(1);
    expect(text).toMatch(
      /WARN.*link down, retrying.*"target":"board".* — ECONNREFUSED: board: connect ECONNREFUSED 127\.0\.0\.1:\d+/,
    );
    expect(text).not.toContain("    at ");
  });

  it("JSON lines keep the error's type, message and code, and name the cause, without the stack", async () => {
    const err = await refusedConnection(await closedPort());
    const { logger, out } = capture("info", "json");
    logger.warn({ err }, "link down, retrying");
    const entry = JSON.parse(out[0] ?? "");
    expect(entry.err).toMatchObject({
      type: "TransportError",
      code: "TRANSPORT_OPEN_FAILED",
      expected: "ECONNREFUSED",
    });
    expect(entry.err.stack).toBeUndefined();
  });

  it("at debug the stack is there, for whoever is chasing it", async () => {
    const err = await refusedConnection(await closedPort());
    const { logger, out } = capture("debug", "json");
    logger.warn({ err }, "link down, retrying");
    expect(JSON.parse(out[0] ?? "").err.stack).toMatch(/ECONNREFUSED/);
  });

  it("the stack comes back when the level is changed to debug at runtime", async () => {
    const err = await refusedConnection(await closedPort());
    const { logger, out } = capture("info", "json");
    logger.level = "debug";
    logger.warn({ err }, "link down, retrying");
    expect(JSON.parse(out[0] ?? "").err.stack).toBeDefined();
  });

  it("a real MQTT client refused by a closed port is expected too", async ({ defer }) => {
    const port = await closedPort();
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 2000 });
    defer(() => client.end(true));
    const err = await new Promise<Error>((resolve) => client.once("error", resolve));
    expect(expectedCause(err)).toBe("ECONNREFUSED");
  });

  it.each([
    [
      "an unknown host",
      Object.assign(new Error("getaddrinfo ENOTFOUND nowhere"), { code: "ENOTFOUND" }),
      "ENOTFOUND",
    ],
    ["a timeout", Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" }), "ETIMEDOUT"],
    [
      "a serial port that vanished",
      Object.assign(new Error("Port is not open"), { disconnected: true }),
      "DISCONNECTED",
    ],
    [
      "a broker that refuses",
      Object.assign(new Error("Connection refused: Not authorized"), {
        name: "ErrorWithReasonCode",
        code: 135,
      }),
      "BROKER_REFUSED",
    ],
    [
      "Node's happy eyeballs",
      new AggregateError([Object.assign(new Error("x"), { code: "EHOSTUNREACH" })]),
      "EHOSTUNREACH",
    ],
  ])("%s is expected", (_what, err, code) => {
    expect(expectedCause(err)).toBe(code);
  });

  it("a bug keeps its stack at every level: it is not an outside condition", () => {
    const { logger, out } = capture("info", "pretty");
    logger.error({ err: new TypeError("cannot read properties of undefined") }, "scan failed");
    expect(expectedCause(new TypeError("x"))).toBeUndefined();
    expect(out.join("")).toMatch(/TypeError: cannot read properties of undefined\n\s+at /);
  });
});
