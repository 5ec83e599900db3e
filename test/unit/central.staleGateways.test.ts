/**
 * docs/central.md "Gateways that went away": which gateways of a site still count for the shaping of
 * its documents and the config gate. Online ones always; offline or silent ones until
 * `--stale-gateway-days` after they were last heard from (hello or status); 0 keeps them all.
 */

import { describe, expect, it } from "vitest";
import { countsForSite, type GatewayInfo } from "../../central/gatewayStore.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2027, 2, 26, 12);

/** A gateway of the site last heard from by a hello `helloDays` and a status `statusDays` ago. */
function gateway(
  online: boolean | null,
  helloDays: number | null,
  statusDays: number | null = null,
): GatewayInfo {
  return {
    id: "gw-old",
    siteId: "rome-center",
    watermark: 0,
    online,
    status: null,
    statusAt: statusDays === null ? null : NOW - statusDays * DAY,
    hello: null,
    helloAt: helloDays === null ? null : NOW - helloDays * DAY,
  };
}

describe("stale gateways", () => {
  const when = { now: NOW, staleDays: 30 };

  it("an online gateway counts however long ago its hello was", () => {
    expect(countsForSite(gateway(true, 400), when)).toBe(true);
  });

  it("an offline gateway counts for 30 days after its last hello or status, not after", () => {
    expect(countsForSite(gateway(false, 30), when)).toBe(true);
    expect(countsForSite(gateway(false, 31), when)).toBe(false);
    expect(countsForSite(gateway(null, 31), when)).toBe(false);
    // Its last will (an offline status) 2 days ago is the last time it was heard from.
    expect(countsForSite(gateway(false, 90, 2), when)).toBe(true);
    expect(countsForSite(gateway(false, 90, 31), when)).toBe(false);
  });

  it("0 days: every gateway ever heard of counts", () => {
    expect(countsForSite(gateway(false, 4000), { now: NOW, staleDays: 0 })).toBe(true);
  });
});
