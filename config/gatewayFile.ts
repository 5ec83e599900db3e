/**
 * The gateway configuration read from its file and checked (UTF-8, syntax, schema, references),
 * the same way for `check`, `start` and a reload, so a file one accepts the others accept too.
 */
import { checkGatewayConfig, type GatewayConfigCheck } from "./gateway.js";
import { readTextFile } from "./textFile.js";

/** Reads and checks a gateway configuration file; never throws (an unreadable file is a problem). */
export function readGatewayConfigFile(file: string): GatewayConfigCheck {
  const read = readTextFile(file);
  if (read.problem !== undefined)
    return { config: null, raw: undefined, problems: [read.problem], warnings: [] };
  return checkGatewayConfig(file, read.text);
}
