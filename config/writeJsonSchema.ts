import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonSchemas, jsonSchemaText } from "./jsonSchema.js";

/** `npm run schemas`: writes config/jsonschema/*.json from the zod schemas. */
const out = resolve(dirname(fileURLToPath(import.meta.url)), "../../config/jsonschema");
mkdirSync(out, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  mkdirSync(dirname(join(out, name)), { recursive: true });
  writeFileSync(join(out, name), jsonSchemaText(schema));
  process.stdout.write(`wrote config/jsonschema/${name}\n`);
}
