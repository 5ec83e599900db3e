import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  parseSyncPayload,
  type SyncKind,
} from "../../config/protocol/payloads.js";
import { mqttCredentials, SyncSettings } from "../../config/sync.js";
import { exampleDoc } from "../helpers/examples.js";

/** sync.md's example payloads, verbatim; their placeholders are filled in by `fill`. */
const SYNC_MD: Record<SyncKind, string> = {
  config: '{ "rev": 12, "config": <site configuration, shape in domain.md> }',
  changes: '{ "rev": 4711, "members": [<member>…], "deletedMembers": ["m-9"] }',
  sync: '{ "fromRev": 0, "toRev": 4711, "snapshot": true, "part": 1, "parts": 40, "members": […], "deletedMembers": [] }',
  acks: '{ "upTo": 1234 }',
  hello:
    '{ "gatewayId": "G", "siteId": "S", "lastRev": 4711, "configRev": 12, "version": "1.4.0", "outbox": { "firstSeq": 1201, "lastSeq": 1234 } }',
  events: '{ "gatewayId": "G", "events": [<event>…] }',
  status:
    '{ "online": true, "at": "…", "version": "…", "lastRev": 4711, "configRev": 12, "outboxPending": 33, "readers": [{ "id": "pool-in", "connected": true }], "problems": [] }',
  // doors.md D5's shapes, with values.
  commands:
    '{ "id": "c-1", "at": "2026-11-23T17:05:00Z", "verb": "open", "args": { "door": "pool-gate" }, "operator": "anna", "reason": "member forgot card" }',
  "command-results": '{ "id": "c-1", "ok": true, "error": null, "eventId": "G:1203" }',
};
const LAST_WILL = '{ "online": false }';

/** The decision JSON of cli.md, verbatim. */
const CLI_DECISION = {
  decision: "grant",
  reason: "ok",
  at: "2026-11-23T17:05:00.000Z",
  card: "4215834",
  memberId: "m-1001",
  area: "pool",
  direction: "in",
  readerId: "pool-in",
  multipackId: "mp-1",
  productId: "pool-10",
  accessTypeId: "pool-peak",
  creditsDeducted: 2,
  creditsRemaining: 8,
  creditsTotal: 10,
  message: "Welcome Ada — 8/10 left",
  trace: [
    { multipackId: "mp-1", accessTypeId: "pool-peak", outcome: "chosen", reason: "ok" },
    { multipackId: "mp-2", accessTypeId: null, outcome: "skipped", reason: "expired" },
  ],
};

/** A recorded event as sync.md sends it: the decision plus id, seq, relayFailed and its ledger. */
function event(seq: number, gatewayId = "G") {
  const id = `${gatewayId}:${seq}`;
  return {
    ...CLI_DECISION,
    id,
    seq,
    relayFailed: false,
    ledger: [
      {
        id,
        multipackId: "mp-1",
        amount: 2,
        at: CLI_DECISION.at,
        area: "pool",
        accessType: "pool-peak",
        kind: "usage",
      },
    ],
  };
}

const site = () => {
  const { members: _members, ...config } = exampleDoc("site.yaml");
  return config;
};
const members = () => exampleDoc<{ members: unknown[] }>("members.yaml").members;

/** Fills sync.md's placeholders with the spec's worked example (site.yaml, members.yaml) and cli.md. */
function fill(text: string): string {
  return text
    .replace("<site configuration, shape in domain.md>", JSON.stringify(site()))
    .replace("[<member>…]", JSON.stringify(members()))
    .replace("[…]", JSON.stringify(members()))
    .replace("[<event>…]", JSON.stringify([event(1201), event(1202)]))
    .replace('"at": "…"', '"at": "2026-11-23T17:05:01.000Z"')
    .replace('"version": "…"', '"version": "1.4.0"');
}

const TOPIC: Record<SyncKind, string> = {
  config: "accessgw/v1/sites/S/config",
  changes: "accessgw/v1/sites/S/changes",
  sync: "accessgw/v1/gateways/G/sync",
  acks: "accessgw/v1/gateways/G/acks",
  hello: "accessgw/v1/gateways/G/hello",
  events: "accessgw/v1/gateways/G/events",
  status: "accessgw/v1/gateways/G/status",
  commands: "accessgw/v1/gateways/G/commands",
  "command-results": "accessgw/v1/gateways/G/command-results",
};

const bytes = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const parse = <K extends SyncKind>(kind: K, v: unknown, max?: number) =>
  parseSyncPayload(kind, TOPIC[kind], bytes(v), max);

/** The problem a payload is refused with (fails the test when it is accepted). */
function refusal(kind: SyncKind, v: unknown, max?: number): string {
  const r = parse(kind, v, max);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(v).slice(0, 200)}`);
  return r.problem;
}

/** A filled example as an object, for tests that change one field. */
const example = (kind: SyncKind) => JSON.parse(fill(SYNC_MD[kind])) as Record<string, unknown>;

describe("sync.md payloads", () => {
  it.each(Object.keys(SYNC_MD) as SyncKind[])("parses sync.md's %s example", (kind) => {
    const r = parse(kind, fill(SYNC_MD[kind]));
    expect(r.ok ? "ok" : r.problem).toBe("ok");
  });

  it("parses the last will on the status topic", () => {
    expect(parse("status", LAST_WILL)).toEqual({ ok: true, value: { online: false } });
  });

  it("applies domain.md defaults inside members and the site configuration", () => {
    const r = parse("changes", fill(SYNC_MD.changes));
    if (!r.ok) throw new Error(r.problem);
    expect(r.value.members[0]).toMatchObject({ id: "m-anna", bookings: [], blocks: [] });
    expect(r.value.deletedMembers).toEqual(["m-9"]);
    const c = parse("config", fill(SYNC_MD.config));
    if (!c.ok) throw new Error(c.problem);
    expect(c.value.config.site).toMatchObject({ id: "rome-center", tieBreak: "fifo" });
  });

  it("reports an empty outbox as firstSeq and lastSeq null, never absent", () => {
    const hello = { ...example("hello"), outbox: { firstSeq: null, lastSeq: null } };
    expect(parse("hello", hello).ok).toBe(true);
    expect(refusal("hello", { ...hello, outbox: {} })).toContain("outbox");
    expect(refusal("hello", { ...hello, outbox: { firstSeq: 5, lastSeq: null } })).toContain("outbox");
    expect(refusal("hello", { ...hello, outbox: { firstSeq: 9, lastSeq: 5 } })).toContain("outbox");
  });

  it("ignores unknown envelope fields of what the central sends, but not inside a member", () => {
    const changes = { ...example("changes"), sentAt: "2026-11-23T17:05:00Z" };
    const r = parse("changes", changes);
    expect(r.ok && !("sentAt" in r.value)).toBe(true);
    expect(parse("acks", { upTo: 3, traceId: "x" })).toEqual({ ok: true, value: { upTo: 3 } });
    const typo = { ...example("changes"), members: [{ id: "m-1", multipack: [] }] };
    expect(refusal("changes", typo)).toBe(
      'accessgw/v1/sites/S/changes: changes refused: members[0] (m-1): unknown field "multipack"',
    );
  });

  it("refuses unknown fields in what the gateway sends (hello, events, status)", () => {
    expect(refusal("hello", { ...example("hello"), extra: 1 })).toBe(
      'accessgw/v1/gateways/G/hello: hello refused: (top level): unknown field "extra"',
    );
    const events = example("events");
    (events.events as Record<string, unknown>[])[0] = { ...event(1201), extra: true };
    expect(refusal("events", events)).toContain('events[0] (G:1201): unknown field "extra"');
    expect(refusal("status", { ...example("status"), uptime: 5 })).toBe(
      'accessgw/v1/gateways/G/status: status refused: (top level): unknown field "uptime"',
    );
    expect(refusal("status", { online: false, at: "2026-11-23T17:05:01.000Z" })).toBe(
      'accessgw/v1/gateways/G/status: status refused: (top level): unknown field "at"',
    );
  });

  it("refuses a config that carries members: they travel in changes and sync", () => {
    const config = example("config");
    (config.config as Record<string, unknown>).members = members();
    expect(refusal("config", config)).toBe(
      'accessgw/v1/sites/S/config: config refused: config: unknown field "members"',
    );
  });

  it("refuses a config whose access type names an unknown area, whole", () => {
    const config = example("config");
    const doc = config.config as { accessTypes: { areas: string[] }[] };
    (doc.accessTypes[0] as { areas: string[] }).areas = ["sauna"];
    expect(refusal("config", config)).toMatch(
      /^accessgw\/v1\/sites\/S\/config: config refused: config: .*sauna/,
    );
  });

  it.each<[string, SyncKind, (m: Record<string, unknown>) => unknown, string]>([
    ["a negative revision", "changes", (m) => ({ ...m, rev: -1 }), "rev: Too small"],
    ["a fractional revision", "acks", () => ({ upTo: 1.5 }), "upTo: Invalid input: expected int"],
    ["a revision beyond safe integers", "acks", () => ({ upTo: 2 ** 53 }), "upTo: Too big"],
    ["changes without deletedMembers", "changes", ({ deletedMembers: _d, ...m }) => m, "deletedMembers: "],
    [
      "a bad card in a member",
      "changes",
      (m) => ({ ...m, members: [{ id: "m-1", cards: [{ number: " " }] }] }),
      "members[0] (m-1).cards[0].number: empty card number",
    ],
    [
      "a member given twice",
      "changes",
      (m) => ({ ...m, members: [{ id: "m-1" }, { id: "m-1" }] }),
      'members[1] (m-1).id: member "m-1" is given twice',
    ],
    [
      "a member updated and deleted",
      "changes",
      (m) => ({ ...m, members: [{ id: "m-9" }] }),
      'deletedMembers[0]: member "m-9" is both updated and deleted',
    ],
    ["part after parts", "sync", (m) => ({ ...m, part: 41 }), "part: part 41 > parts 40"],
    ["part 0", "sync", (m) => ({ ...m, part: 0 }), "part: Too small"],
    ["fromRev after toRev", "sync", (m) => ({ ...m, fromRev: 4712 }), "fromRev: fromRev 4712 > toRev 4711"],
    [
      "a snapshot flag that is a string",
      "sync",
      (m) => ({ ...m, snapshot: "yes" }),
      "snapshot: Invalid input: expected boolean",
    ],
    [
      "an event id of another gateway",
      "events",
      (m) => ({ ...m, events: [event(7, "gw-2")] }),
      'events[0] (gw-2:7).id: expected "G:7"',
    ],
    [
      "events out of seq order",
      "events",
      (m) => ({ ...m, events: [event(8), event(7)] }),
      "events[1] (G:7).seq: events are not in seq order",
    ],
    ["an empty batch", "events", (m) => ({ ...m, events: [] }), "events: Too small"],
    [
      "a batch of 501 events",
      "events",
      (m) => ({ ...m, events: Array.from({ length: 501 }, (_, i) => event(i + 1)) }),
      "events: Too big",
    ],
    [
      "an unknown reason",
      "events",
      (m) => ({ ...m, events: [{ ...event(1), reason: "tired" }] }),
      "events[0] (G:1).reason: Invalid option",
    ],
    [
      "a status whose instant has no offset",
      "status",
      (m) => ({ ...m, at: "2026-11-23 17:05" }),
      "at: expected an instant",
    ],
  ])("refuses %s, naming the topic and the path", (_what, kind, change, expected) => {
    const problem = refusal(kind, change(example(kind)));
    expect(problem.startsWith(`${TOPIC[kind]}: ${kind} refused: `)).toBe(true);
    expect(problem).toContain(expected);
  });

  it("names at most the first 3 problems and counts the rest", () => {
    const problem = refusal("hello", { gatewayId: 1, siteId: 2, lastRev: "a", configRev: "b", version: 3 });
    expect(problem.split("; ")).toHaveLength(3);
    expect(problem).toMatch(/^accessgw\/v1\/gateways\/G\/hello: hello refused: gatewayId: .*\(and 3 more\)$/);
  });

  it("refuses a payload larger than maxMessageBytes before reading it", () => {
    expect(refusal("acks", { upTo: 1 }, 5)).toBe(
      "accessgw/v1/gateways/G/acks: acks refused: 10 bytes is more than sync.maxMessageBytes (5)",
    );
    const big = new Uint8Array(DEFAULT_MAX_MESSAGE_BYTES + 1);
    const r = parseSyncPayload("changes", TOPIC.changes, big);
    expect(r.ok ? "accepted" : r.problem).toContain(
      "16777217 bytes is more than sync.maxMessageBytes (16777216)",
    );
  });

  it("refuses bytes that are not UTF-8 and text that is not JSON", () => {
    const r = parseSyncPayload("acks", TOPIC.acks, Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d));
    expect(r).toEqual({
      ok: false,
      problem: "accessgw/v1/gateways/G/acks: acks refused: the payload is not UTF-8 text",
    });
    expect(refusal("acks", "{ upTo: 1 }")).toMatch(
      /^accessgw\/v1\/gateways\/G\/acks: acks refused: not JSON \(/,
    );
    expect(refusal("acks", "")).toContain("not JSON");
    expect(refusal("acks", "null")).toBe(
      "accessgw/v1/gateways/G/acks: acks refused: (top level): Invalid input: expected object, received null",
    );
  });
});

describe("the sync section of the gateway configuration", () => {
  it("defaults to off, with the values of sync.md", () => {
    expect(SyncSettings.parse(undefined)).toEqual({
      enabled: false,
      topicPrefix: "accessgw/v1",
      maxMessageBytes: 16777216,
      outboxAlarm: 1000000,
      ackTimeoutMs: 10000,
      batchSize: 500,
      offline: { maxStaleHours: 72, after: "keep-deciding" },
    });
    expect(SyncSettings.parse({ enabled: true, offline: { after: "deny-paid" } }).offline).toEqual({
      maxStaleHours: 72,
      after: "deny-paid",
    });
  });

  it.each([
    ["accessgw/v1/#"],
    ["a/+/b"],
    ["/accessgw"],
    ["accessgw/"],
    ["a//b"],
    ["$SYS/x"],
    ["my prefix"],
    [""],
  ])("refuses the topic prefix %j", (topicPrefix) => {
    expect(SyncSettings.safeParse({ topicPrefix }).success).toBe(false);
  });

  it("accepts a topic prefix of one or more levels", () => {
    expect(SyncSettings.parse({ topicPrefix: "acme/gyms/accessgw-v1" }).topicPrefix).toBe(
      "acme/gyms/accessgw-v1",
    );
    expect(SyncSettings.parse({ topicPrefix: "accessgw" }).topicPrefix).toBe("accessgw");
  });

  it("refuses batches above 500 and an unknown offline policy", () => {
    expect(SyncSettings.safeParse({ batchSize: 501 }).success).toBe(false);
    expect(SyncSettings.safeParse({ offline: { after: "deny-all" } }).success).toBe(false);
  });
});

describe("broker credentials", () => {
  it("come from the config, else from ACCESSGW_MQTT_USERNAME / ACCESSGW_MQTT_PASSWORD", () => {
    const env = { ACCESSGW_MQTT_USERNAME: "env-user", ACCESSGW_MQTT_PASSWORD: "env-secret" };
    expect(mqttCredentials({ username: "gw", password: "pw" }, env)).toEqual({
      username: "gw",
      password: "pw",
    });
    expect(mqttCredentials({ username: "gw" }, env)).toEqual({ username: "gw", password: "env-secret" });
    expect(mqttCredentials(undefined, env)).toEqual({ username: "env-user", password: "env-secret" });
    expect(mqttCredentials({}, { ACCESSGW_MQTT_USERNAME: "" })).toEqual({});
  });
});
