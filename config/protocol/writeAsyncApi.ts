/** `npm run schemas` (second half): writes docs/asyncapi.yaml from the topic map and zod schemas. */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { asyncApiText } from "./asyncApi.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const { version } = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { version: string };
writeFileSync(resolve(root, "docs/asyncapi.yaml"), asyncApiText(version));
process.stdout.write("wrote docs/asyncapi.yaml\n");
