import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSyncPayload, type SyncKind } from "../../config/protocol/payloads.js";
import { SYNC_KINDS, syncTopic } from "../../config/protocol/topics.js";

const doc = readFileSync("docs/sync.md", "utf8");
const examples = [...doc.matchAll(/<!-- example: ([\w-]+) -->\s*```json\n([\s\S]*?)```/g)].map((m) => ({
  kind: m[1] as SyncKind,
  json: m[2] as string,
}));

describe("docs/sync.md", () => {
  it("has an example for every payload kind", () => {
    expect(examples.map((e) => e.kind).sort()).toEqual([...SYNC_KINDS].sort());
  });

  it.each(examples)("its $kind example is valid against the gateway's own schema", ({ kind, json }) => {
    const topic = syncTopic(kind, "accessgw/v1", "rome-center", "gw-rome-1");
    const parsed = parseSyncPayload(kind, topic, new TextEncoder().encode(json));
    expect(parsed.ok ? "ok" : parsed.problem).toBe("ok");
  });

  it("names every topic of the topic map in its table", () => {
    for (const kind of SYNC_KINDS) {
      const topic = syncTopic(kind, "P", "S", "G");
      expect(doc).toContain(`\`${topic}\``);
    }
  });
});
