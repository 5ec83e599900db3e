// @ts-check
/**
 * Module hooks for a worker thread started from the TypeScript sources (under vitest, which runs
 * the sources without a build): a relative `./x.js` that does not exist resolves to `./x.ts`, and a
 * `.ts` module is compiled with the TypeScript compiler (a development dependency, present wherever
 * the sources are). Never used from dist/, where every module is JavaScript already.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";

/** Compiled modules by the hash of their source: a test starts many workers, each compiling anew. */
const CACHE = new URL("../node_modules/.cache/source-hooks/", import.meta.url);

/** @type {import("typescript") | undefined} */
let ts;

/**
 * A `.js` import that is a `.ts` file in the sources (NodeNext writes imports with `.js`).
 * @param {string} specifier @param {{ parentURL?: string }} context @param {Function} next
 */
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const code = /** @type {{ code?: string }} */ (err).code;
    if (code !== "ERR_MODULE_NOT_FOUND" || !specifier.endsWith(".js") || !/^(\.|\/|file:)/.test(specifier))
      throw err;
    return next(`${specifier.slice(0, -3)}.ts`, context);
  }
}

/**
 * A `.ts` module as JavaScript: types removed, nothing else changed (one file at a time).
 * @param {string} url @param {object} context @param {Function} next
 */
export async function load(url, context, next) {
  if (!url.endsWith(".ts")) return next(url, context);
  const source = await readFile(new URL(url), "utf8");
  const cached = new URL(`${createHash("sha256").update(url).update(source).digest("hex")}.js`, CACHE);
  const hit = await readFile(cached, "utf8").catch(() => undefined);
  if (hit !== undefined) return { format: "module", source: hit, shortCircuit: true };
  ts ??= (await import("typescript")).default;
  const out = ts.transpileModule(source, {
    fileName: url,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      sourceMap: false,
    },
  });
  await mkdir(CACHE, { recursive: true });
  // Written whole under another name, then renamed: a worker never reads half a module.
  const part = new URL(`${cached.href}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await writeFile(part, out.outputText);
  await rename(part, cached);
  return { format: "module", source: out.outputText, shortCircuit: true };
}
