import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { asyncApiDocument, asyncApiText } from "../../config/protocol/asyncApi.js";
import { matchTopic, SYNC_KINDS, SYNC_TOPICS } from "../../config/protocol/topics.js";

const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
const doc = asyncApiDocument(version) as {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<
    string,
    { action: string; channel: { $ref: string }; bindings: { mqtt: { qos: number; retain: boolean } } }
  >;
  components: {
    messages: Record<
      string,
      { payload: { schemaFormat: string; schema: { type?: string; oneOf?: unknown[] } } }
    >;
  };
};

/** Follows a local "#/a/b" reference. */
function resolveRef(ref: string): unknown {
  expect(ref.startsWith("#/")).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, found);
  else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && !v.startsWith("#/definitions")) found.push(v);
      else refs(v, found);
    }
  return found;
}

describe("docs/asyncapi.yaml: the sync contract as AsyncAPI 3.0", () => {
  it("is up to date with the topic map and the zod schemas (regenerate with npm run build && npm run schemas)", () => {
    expect(readFileSync("docs/asyncapi.yaml", "utf8")).toBe(asyncApiText(version));
    expect(parse(readFileSync("docs/asyncapi.yaml", "utf8"))).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("has one channel per sync.md topic, whose address the gateway's topic matcher recognises", () => {
    expect(doc.asyncapi).toBe("3.0.0");
    expect(Object.keys(doc.channels).sort()).toEqual([...SYNC_KINDS].sort());
    for (const kind of SYNC_KINDS) {
      const address = doc.channels[kind]?.address.replace("{siteId}", "rome").replace("{gatewayId}", "gw-1");
      expect(matchTopic(address ?? "")).toMatchObject({ kind });
    }
  });

  it("receives what the central sends and sends the rest, QoS 1, retained only config and status", () => {
    for (const [name, op] of Object.entries(doc.operations)) {
      const kind = op.channel.$ref.replace("#/channels/", "") as keyof typeof SYNC_TOPICS;
      const spec = SYNC_TOPICS[kind];
      expect(op.action).toBe(spec.direction === "toGateway" ? "receive" : "send");
      expect(name.toLowerCase()).toBe(`${op.action}${kind.replaceAll("-", "")}`);
      expect(op.bindings.mqtt).toMatchObject({ qos: 1, retain: spec.retained });
    }
    expect(Object.keys(doc.operations)).toHaveLength(SYNC_KINDS.length);
  });

  it("resolves every reference and gives every message a draft-07 JSON Schema payload", () => {
    for (const ref of refs(doc)) expect(resolveRef(ref), ref).toBeDefined();
    for (const [kind, m] of Object.entries(doc.components.messages)) {
      expect(m.payload.schemaFormat).toBe("application/schema+json;version=draft-07");
      // status is the full status or, as the last will, exactly {"online": false}: one of two objects.
      if (kind === "status") expect(m.payload.schema.oneOf).toHaveLength(2);
      // D5: a command is one of four verbs, each with its own args.
      else if (kind === "commands") expect(m.payload.schema.oneOf).toHaveLength(4);
      else expect(m.payload.schema.type, kind).toBe("object");
    }
  });
});
