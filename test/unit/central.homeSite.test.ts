/**
 * R20 through the reference central: a member's homeSite and a limit's `at` from the files are
 * published unchanged (the member documents of a snapshot, the site configuration).
 */

import { writeFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { stringify } from "yaml";
import { CentralStore } from "../../central/centralStore.js";
import { buildAnswer } from "../../central/helloAnswer.js";
import { memberDoc } from "../../central/memberStore.js";
import { planAnswer } from "../../central/messages.js";
import { reconcile } from "../../central/reconcile.js";
import { SyncMessage } from "../../config/protocol/payloads.js";
import { test as base } from "../harness/index.js";
import { exampleSources } from "../helpers/centralSources.js";
import { exampleDoc } from "../helpers/examples.js";

const LIMITS = { partMembers: 500, partBytes: 262_144 };

type Doc = Record<string, unknown> & { members?: Record<string, unknown>[]; limits?: unknown[] };

/** The central's store on the worked example's files, with Anna at home in Rome and an away limit. */
const it = base.extend("centralStore", ({ exampleFiles: { siteFile, membersFile, data }, defer }) => {
  const members = exampleDoc<Doc>("members.yaml");
  (members.members?.[0] as Record<string, unknown>).homeSite = "rome-center";
  writeFileSync(membersFile, stringify(members));
  const site = exampleDoc<Doc>("site.yaml");
  site.limits = [...(site.limits ?? []), { id: "away-4", amount: 4, period: "month", at: "away" }];
  writeFileSync(siteFile, stringify(site));
  const store = CentralStore.open(data);
  defer(() => store.close());
  reconcile(store, exampleSources(store, siteFile, membersFile), LIMITS);
  return store;
});

describe("R20 through the reference central", () => {
  it("R20: publishes a member's homeSite in its document and in a snapshot, unchanged", ({
    centralStore: central,
  }) => {
    expect(memberDoc(central, "m-anna")?.homeSite).toBe("rome-center");
    const answer = buildAnswer(central, planAnswer(0, central.siteRev(), 10_000), LIMITS);
    const message = SyncMessage.parse(JSON.parse(answer.part(1)));
    const members = new Map(message.members.map((m) => [m.id, m.homeSite]));
    expect(members.get("m-anna")).toBe("rome-center");
    expect(members.get("m-bruno")).toBeUndefined();
  });

  it("R20: publishes a limit's at in the site configuration, unchanged", ({ centralStore: central }) => {
    const config = JSON.parse(central.configJson() ?? "{}") as { limits: { id: string; at?: string }[] };
    expect(config.limits.find((l) => l.id === "away-4")?.at).toBe("away");
  });
});
