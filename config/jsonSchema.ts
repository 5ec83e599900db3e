import { z } from "zod";
import { ChainFile } from "./chain.js";
import { DataFile } from "./dataFile.js";
import { GatewayConfig } from "./gateway.js";
import { SYNC_PAYLOADS } from "./protocol/payloads.js";

/** What each sync.md payload is, for the title of its JSON Schema. */
const SYNC_TITLES: Record<keyof typeof SYNC_PAYLOADS, string> = {
  config: "P/sites/S/config (central → gateway, retained): the site configuration",
  changes: "P/sites/S/changes (central → gateway): the next site revision",
  sync: "P/gateways/G/sync (central → gateway): one part of the answer to a hello",
  acks: "P/gateways/G/acks (central → gateway): events stored up to a seq",
  hello: "P/gateways/G/hello (gateway → central): the gateway's revisions and outbox",
  events: "P/gateways/G/events (gateway → central): a batch of recorded decisions",
  status: "P/gateways/G/status (gateway → central, retained): status, or the last will",
  commands: "P/gateways/G/commands (central → gateway): a front-desk command (doors.md D5)",
  "command-results": "P/gateways/G/command-results (gateway → central): how a command ended",
};

/**
 * JSON Schemas for editors and integrators, generated from the zod schemas (the one source of truth),
 * by path under config/jsonschema/: the sync payloads of sync.md go in sync/.
 */
export function jsonSchemas(): Record<string, unknown> {
  const opts = { io: "input", unrepresentable: "any", target: "draft-2020-12" } as const;
  const sync = Object.entries(SYNC_PAYLOADS).map(([kind, schema]) => [
    `sync/${kind}.schema.json`,
    {
      title: `accessgw sync: ${SYNC_TITLES[kind as keyof typeof SYNC_PAYLOADS]}`,
      ...z.toJSONSchema(schema, opts),
    },
  ]);
  return {
    ...Object.fromEntries(sync),
    "data-file.schema.json": {
      title: "accessgw site configuration and/or member data",
      ...z.toJSONSchema(DataFile, opts),
    },
    "chain-file.schema.json": {
      title: "accessgw chain: the sites one reference central serves, and their members file",
      ...z.toJSONSchema(ChainFile, opts),
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
