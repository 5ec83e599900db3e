import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemas, jsonSchemaText } from "../../config/jsonSchema.js";

describe("JSON Schema for editors", () => {
  it("config/jsonschema/*.json are generated from the current zod schemas (run `npm run schemas`)", () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const committed = readFileSync(join("config/jsonschema", name), "utf8");
      expect(committed, `${name} is stale: run npm run schemas`).toBe(jsonSchemaText(schema));
    }
  });

  it("describes the fields of domain.md, e.g. a window's from/to and a multipack's product", () => {
    const text = JSON.stringify(jsonSchemas()["data-file.schema.json"]);
    for (const field of ["accessTypes", "windows", "purchasedAt", "deductionIntervalMinutes", "antiPassback"])
      expect(text).toContain(`"${field}"`);
  });

  it("has one schema per sync.md payload under sync/, e.g. hello's outbox and an event's ledger", () => {
    const schemas = jsonSchemas();
    const kinds = [
      "config",
      "changes",
      "sync",
      "acks",
      "hello",
      "events",
      "status",
      "commands",
      "command-results",
    ];
    expect(Object.keys(schemas).filter((n) => n.startsWith("sync/"))).toEqual(
      kinds.map((k) => `sync/${k}.schema.json`),
    );
    expect(JSON.stringify(schemas["sync/hello.schema.json"])).toContain('"firstSeq"');
    expect(JSON.stringify(schemas["sync/events.schema.json"])).toContain('"relayFailed"');
    expect(JSON.stringify(schemas["sync/events.schema.json"])).toContain('"multipackId"');
  });
});
