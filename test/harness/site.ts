/**
 * Sites with several gateways for tests (bench/siteRig.ts on the file's broker): the site of
 * test/fixtures/lido (gym, sauna once a day, pool with hard anti-passback, studio for 2) with two
 * or three gateways and the reference central, all stopped after the test. Besides the site: a
 * Shelly Gen2 played by the test (answers each pulse, or holds it until the test refuses it), and
 * an older central (a bridge that strips `visits` and `presence` from every member document the
 * real central publishes, as a central that knows nothing of them would send).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import {
  type SiteClock,
  type SiteGateway,
  type SiteRig,
  siteClock,
  startSiteRig,
} from "../../bench/siteRig.js";
import { SYNC_KINDS, SYNC_TOPICS } from "../../config/protocol/topics.js";
import { encodeRpcResponse } from "../../drivers/codecs/shelly.js";
import { at } from "../helpers/build.js";
import { silentLogger } from "../helpers/logs.js";
import type { Defer } from "./cleanup.js";
import { FAST_BACKOFF } from "./sync.js";

const FIXTURE = new URL("../fixtures/lido/", import.meta.url);
/** The fixture's site id. */
export const LIDO = "lido";
/** Every area of the fixture: each gateway has an `in` and an `out` reader in each. */
export const LIDO_AREAS = ["gym", "sauna", "pool", "studio"] as const;
/** When the site's clock starts: a Monday morning, every multipack of the fixture valid. */
export const LIDO_START = at("2027-03-22T10:00");

/** The fixture's members file, as text. */
export function lidoMembers(): string {
  return readFileSync(new URL("members.yaml", FIXTURE), "utf8");
}

/** What a test asks of its site. */
export interface TestSiteOptions {
  /** sync.md `P`, one per test. */
  prefix: string;
  /** How many gateways (2 by default): gw-a, gw-b, gw-c. */
  gateways?: number;
  /** Doors on a Shelly per gateway (device `shelly-<gateway>`); the test starts the Shellies. */
  doors?: boolean;
  /** The central behind {@link olderCentral}: member documents without visits or presence. */
  olderCentral?: boolean;
  clock?: SiteClock;
}

/** A running site, every gateway in step; its gateways by letter (naming one it lacks throws). */
export interface TestSite extends SiteRig {
  readonly a: SiteGateway;
  readonly b: SiteGateway;
  readonly c: SiteGateway;
}

/** Starts sites of the fixture on the broker at `url`, each in its own folder under `dir`, and waits until they are in step. */
export function testSites(url: string, defer: Defer, dir: string, connect: () => Promise<MqttClient>) {
  let made = 0;
  return async (o: TestSiteOptions): Promise<TestSite> => {
    const folder = join(dir, `site-${++made}`);
    mkdirSync(folder, { recursive: true });
    const centralPrefix = o.olderCentral ? `${o.prefix}-central` : o.prefix;
    if (o.olderCentral) await olderCentral(await connect(), centralPrefix, o.prefix);
    const rig = await startSiteRig({
      brokerUrl: url,
      prefix: o.prefix,
      dir: folder,
      siteId: LIDO,
      siteYaml: readFileSync(new URL("site.yaml", FIXTURE), "utf8"),
      membersYaml: lidoMembers(),
      areas: LIDO_AREAS,
      gateways: ["gw-a", "gw-b", "gw-c"].slice(0, o.gateways ?? 2),
      clock: o.clock ?? siteClock(LIDO_START),
      logger: silentLogger(),
      backoff: FAST_BACKOFF,
      ...(o.doors ? { doors: true } : {}),
      central: { topicPrefix: centralPrefix },
    });
    defer(() => rig.stop());
    await rig.ready();
    const nth = (i: number) => {
      const g = rig.gateways[i];
      if (!g) throw new Error(`the site has ${rig.gateways.length} gateways`);
      return g;
    };
    return Object.defineProperties(rig as TestSite, {
      a: { get: () => nth(0) },
      b: { get: () => nth(1) },
      c: { get: () => nth(2) },
    });
  };
}

/** A Switch.Set request the Shelly holds: the test answers it. */
export interface HeldPulse {
  id: number;
  src: string;
}

/** A Shelly Gen2 played by the test: it answers every pulse at once unless `hold` is set. */
export interface ShellyDouble {
  /** Holds the pulses from now on (they time out at the gateway after 2 s unless answered). */
  hold: boolean;
  held: HeldPulse[];
  /** Answers a held pulse with an error: the door did not open (doors.md D2). */
  refuse(pulse: HeldPulse): Promise<unknown>;
}

/** Plays the Shelly `device` on `client`: online (retained), answering or holding its pulses. */
export async function shellyDouble(client: MqttClient, device: string): Promise<ShellyDouble> {
  const double: ShellyDouble = {
    hold: false,
    held: [],
    refuse: (pulse) => {
      const reply = encodeRpcResponse(pulse, device, { error: { code: -105, message: "switch busy" } });
      return client.publishAsync(reply.topic, reply.payload, { qos: 1 });
    },
  };
  client.on("message", (_topic, payload) => {
    const request = JSON.parse(payload.toString()) as HeldPulse & { params?: object };
    if (double.hold) double.held.push(request);
    else {
      const reply = encodeRpcResponse(request, device, { result: { was_on: false } });
      // A reply still in flight when the test ends goes with the client (no unhandled rejection).
      client.publishAsync(reply.topic, reply.payload, { qos: 1 }).catch(() => undefined);
    }
  });
  await client.subscribeAsync(`${device}/rpc`, { qos: 1 });
  await client.publishAsync(`${device}/online`, "true", { retain: true, qos: 1 });
  return double;
}

/**
 * An older central for the gateways on `gatewayPrefix`: relays every sync.md message between them
 * and the real central on `centralPrefix`, both ways, and strips `visits` and `presence` from the
 * member documents of `changes` and `sync` (sync.md "Features": a central that knows none of this
 * sends full ledgers and no visits).
 */
export async function olderCentral(
  client: MqttClient,
  centralPrefix: string,
  gatewayPrefix: string,
): Promise<void> {
  const routes = SYNC_KINDS.map((kind) => {
    const spec = SYNC_TOPICS[kind];
    const [from, to] =
      spec.direction === "toGateway" ? [centralPrefix, gatewayPrefix] : [gatewayPrefix, centralPrefix];
    return { kind, from, to, retain: spec.retained, filter: `${from}/${spec.scope}/+/${spec.leaf}` };
  });
  client.on("message", (topic, payload) => {
    const route = routes.find((r) => topic.startsWith(`${r.from}/`) && topic.endsWith(`/${r.kind}`));
    if (!route) return;
    const text = payload.toString("utf8");
    const out = route.kind === "changes" || route.kind === "sync" ? withoutHistory(text) : text;
    // A message still in flight when the test ends goes with the client (no unhandled rejection).
    client
      .publishAsync(`${route.to}${topic.slice(route.from.length)}`, out, { qos: 1, retain: route.retain })
      .catch(() => undefined);
  });
  await client.subscribeAsync(
    routes.map((r) => r.filter),
    { qos: 1 },
  );
}

/** A changes or sync message with `visits` and `presence` taken out of every member document. */
function withoutHistory(text: string): string {
  const message = JSON.parse(text) as { members?: Record<string, unknown>[] };
  for (const member of message.members ?? []) {
    delete member.visits;
    delete member.presence;
  }
  return JSON.stringify(message);
}
