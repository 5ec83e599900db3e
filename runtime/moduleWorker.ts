/**
 * Starts a worker thread from a module of this package, the same from dist/ (JavaScript) and from
 * the TypeScript sources (tests run them without a build): there, the worker first registers
 * runtime/sourceHooks.js, which lets it load `.ts` modules.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** True when this package runs from its TypeScript sources rather than from dist/. */
const fromSources = import.meta.url.endsWith(".ts");

/** Starts the worker whose compiled module is `entry` (a `.js` URL beside the caller's module). */
export function startModuleWorker(entry: URL, options: WorkerOptions): Worker {
  if (!fromSources) return new Worker(entry, options);
  const source = new URL(entry.href.replace(/\.js$/, ".ts"));
  const hooks = new URL("./sourceHooks.js", import.meta.url);
  // An evaluated CommonJS stub: it registers the hooks, then imports the module they compile.
  const stub = `require("node:module").register(${JSON.stringify(hooks.href)});
import(${JSON.stringify(source.href)}).catch((err) => { process.nextTick(() => { throw err; }); });`;
  return new Worker(stub, { ...options, eval: true });
}
