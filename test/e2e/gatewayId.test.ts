import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { accessgw, importExamples, jsonLines } from "./accessgw.js";

describe.concurrent("$ACCESSGW_GATEWAY_ID", () => {
  it.for(["a/b", "+", "#"])(
    "%j is refused by scan (exit 2, naming the variable) and nothing is recorded",
    async (id, { folder: { data } }) => {
      await importExamples(data);
      const env = { ACCESSGW_GATEWAY_ID: id };
      const r = await accessgw(["scan", "--card", "1234567", "--area", "gym", "--data", data], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`ACCESSGW_GATEWAY_ID: ${JSON.stringify(id)} is not a gateway id`);
      expect(jsonLines(await accessgw(["events", "--json", "--data", data]))).toEqual([]);
    },
  );

  it("is refused by start before the daemon runs, instead of subscribing to a wildcard", async ({
    folder: { dir, data },
  }) => {
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, `gateway: { data: ${JSON.stringify(data)} }\n`);
    const r = await accessgw(["start", "--config", config], { env: { ACCESSGW_GATEWAY_ID: "#" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ACCESSGW_GATEWAY_ID: "#" is not a gateway id');
  });
});
