/**
 * A chain's relayed decisions at the central that takes them (central/relayIntake.ts): stored as
 * events of the site they came from, never under the watermarks (only a gateway's own site acks it),
 * ledger entries merged by id into the published documents (R16 across sites), a settled copy kept
 * against a late stale one (D2), and only the site's own decisions handed on at start.
 */

import { describe, expect } from "vitest";
import { CentralStore } from "../../central/centralStore.js";
import { watermark } from "../../central/gatewayStore.js";
import { knownIds } from "../../central/memberDocs.js";
import { memberDoc } from "../../central/memberStore.js";
import { reconcile } from "../../central/reconcile.js";
import { ownDecisions, storeRelayedEvents } from "../../central/relayIntake.js";
import type { DecisionEvent } from "../../config/protocol/events.js";
import { test } from "../harness/index.js";
import { parsedDecision } from "../helpers/annaDecision.js";
import { exampleSources } from "../helpers/centralSources.js";

const LIMITS = { partMembers: 500, partBytes: 262_144 };
const AT = "2027-03-22T09:00:00.000Z";

const it = test.extend("northRelay", ({ exampleFiles: { siteFile, membersFile, data }, defer }) => {
  const store = CentralStore.open(data);
  defer(() => store.close());
  const sources = exampleSources(store, siteFile, membersFile);
  reconcile(store, sources, LIMITS);
  const known = knownIds(sources.config);
  return {
    store,
    relay: (events: DecisionEvent[]) => storeRelayedEvents(store, "rome-north", events, 1_000, known, LIMITS),
  };
});

/** A charged grant of gateway `g` for Anna's swim card, as the central validates what arrives. */
function grant(g: string, seq: number, more: Partial<DecisionEvent> = {}): DecisionEvent {
  const id = `${g}:${seq}`;
  return parsedDecision(g, seq, {
    at: AT,
    creditsDeducted: 1,
    creditsRemaining: 9,
    ledger: [{ id, multipackId: "mp-anna-swim", amount: 1, at: AT, kind: "usage" }],
    ...more,
  }) as DecisionEvent;
}

const ledgerOf = (store: CentralStore) =>
  memberDoc(store, "m-anna")
    ?.multipacks.find((m) => m.id === "mp-anna-swim")
    ?.ledger.map((l) => l.id);

describe("decisions relayed from another site of the chain", () => {
  it("R16: are stored as events of their site, their ledger entries echoed in a new revision, no watermark moved", ({
    northRelay: { store, relay },
  }) => {
    const rev = store.siteRev();
    const out = relay([grant("gw-north:pool", 1), grant("gw-north:pool", 2)]);
    expect(out).toMatchObject({ stored: 2, entries: 2, changed: ["m-anna"], revs: [rev + 1] });
    expect(ledgerOf(store)).toEqual(["gw-north:pool:1", "gw-north:pool:2"]);
    const rows = store.prepare("SELECT gateway_id, seq, site FROM events ORDER BY seq").all();
    expect(rows).toEqual([
      { gateway_id: "gw-north:pool", seq: 1, site: "rome-north" },
      { gateway_id: "gw-north:pool", seq: 2, site: "rome-north" },
    ]);
    expect(watermark(store, "gw-north:pool")).toBe(0);
    expect(ownDecisions(store, 0, 10).events).toEqual([]);
  });

  it("R16: merge by id: relayed again, nothing changes and no revision is taken", ({
    northRelay: { store, relay },
  }) => {
    relay([grant("gw-n", 1)]);
    const rev = store.siteRev();
    expect(relay([grant("gw-n", 1)])).toMatchObject({ stored: 0, duplicates: 1, entries: 0, revs: [] });
    expect(store.siteRev()).toBe(rev);
  });

  it("D2: a settled copy replaces the stored one with its refund, and a late stale copy never undoes it", ({
    northRelay: { store, relay },
  }) => {
    relay([grant("gw-n", 1)]);
    const failed = grant("gw-n", 1, { relayFailed: true });
    failed.ledger.push({
      id: "gw-n:1:refund",
      multipackId: "mp-anna-swim",
      amount: -1,
      at: AT,
      kind: "refund",
    });
    expect(relay([failed])).toMatchObject({ replaced: 1, entries: 1, changed: ["m-anna"] });
    expect(relay([grant("gw-n", 1)])).toMatchObject({ duplicates: 1, replaced: 0 });
    expect(store.prepare("SELECT relay_failed FROM events WHERE id = 'gw-n:1'").pluck().get()).toBe(1);
    expect(ledgerOf(store)).toEqual(["gw-n:1", "gw-n:1:refund"]);
  });
});
