/** Sync messages the tests play a gateway's part with (sync.md), built the same way everywhere. */

/** A member of the sync tests' generated parts: one card, one swim-10 pack with one usage entry. */
export function partMember(i: number, extra: Record<string, unknown> = {}) {
  return {
    id: `m-${i}`,
    cards: [{ number: String(1_000_000 + i), status: "active" }],
    multipacks: [
      {
        id: `mp-${i}`,
        product: "swim-10",
        purchasedAt: "2026-11-01T10:00:00Z",
        ledger: [{ id: `gw-1:${i}`, amount: 1, at: "2026-11-02T09:00:00Z", area: "pool" }],
      },
    ],
    ...extra,
  };
}

/** The hello of a new gateway `g` of site rome-center under `prefix`, with `more` (features, historyDays…). */
export function helloFrom(prefix: string, g: string, more: Record<string, unknown>) {
  return {
    topic: `${prefix}/gateways/${g}/hello`,
    payload: JSON.stringify({
      gatewayId: g,
      siteId: "rome-center",
      lastRev: 0,
      configRev: 0,
      version: "1.0.0",
      outbox: { firstSeq: null, lastSeq: null },
      ...more,
    }),
  };
}
