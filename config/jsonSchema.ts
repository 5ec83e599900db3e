import { z } from "zod";
import { DataFile } from "./dataFile.js";
import { GatewayConfig } from "./gateway.js";

/** JSON Schemas for editors, generated from the zod schemas (the one source of truth). */
export function jsonSchemas(): Record<string, unknown> {
  const opts = { io: "input", unrepresentable: "any", target: "draft-2020-12" } as const;
  return {
    "data-file.schema.json": {
      title: "accessgw site configuration and/or member data",
      ...z.toJSONSchema(DataFile, opts),
    },
    "gateway-config.schema.json": {
      title: "accessgw gateway configuration",
      ...z.toJSONSchema(GatewayConfig, opts),
    },
  };
}

/** The text written for each schema file. */
export function jsonSchemaText(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
