import { recordLabel } from "./recordPath.js";

/** Error codes shared by every layer; `code` lets callers react without parsing messages. */
export type ErrorCode =
  | "CONFIG_INVALID"
  | "DATA_INVALID"
  | "USAGE"
  | "UNKNOWN_READER"
  | "UNKNOWN_AREA"
  | "UNKNOWN_MEMBER"
  | "UNKNOWN_MULTIPACK"
  | "NO_SITE"
  | "GATEWAY_ID_MISMATCH"
  | "STORE"
  | "INPUT_UNSUPPORTED"
  | "USER_INVALID"
  | "UNKNOWN_USER"
  // A worker thread (validation) stopped before it answered.
  | "WORKER_FAILED"

  // The central's editor: a draft that does not check; a save refused (no reason, stale, no change).
  | "DRAFT_INVALID"
  | "DRAFT_REFUSED";

/** One error class with a code, a list of human-readable problems, and an optional cause. */
export class AccessGwError extends Error {
  readonly code: ErrorCode;
  readonly problems: string[];

  constructor(code: ErrorCode, message: string, options?: { problems?: string[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AccessGwError";
    this.code = code;
    this.problems = options?.problems ?? [message];
  }

  /** The command line's exit code: 2 for bad input, 1 for anything else (cli.md). */
  get exitCode(): 1 | 2 {
    return BAD_INPUT.has(this.code) ? 2 : 1;
  }
}

/**
 * cli.md: 2 for bad input (usage, file, config, unknown reader…). A data folder without a site is
 * not bad input on the command line (the cache is not ready yet), nor is a failing store.
 */
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "USAGE",
  "CONFIG_INVALID",
  "DATA_INVALID",
  "UNKNOWN_READER",
  "UNKNOWN_AREA",
  "UNKNOWN_MEMBER",
  "UNKNOWN_MULTIPACK",
  "GATEWAY_ID_MISMATCH",
  "USER_INVALID",
  "UNKNOWN_USER",
]);

/**
 * Formats a zod/record path as `members[3].multipacks[0].product`; given the document `root` the path
 * points into, each record on it is named too: `members[3] (m-dario).multipacks[0] (mp-1).product`.
 */
export function formatPath(path: readonly PropertyKey[], root?: unknown): string {
  let out = "";
  let cur: unknown = root;
  let list: PropertyKey | undefined;
  for (const p of path) {
    cur = cur !== null && typeof cur === "object" ? (cur as Record<PropertyKey, unknown>)[p] : undefined;
    if (typeof p === "number") {
      out += `[${p}]`;
      const label = recordLabel(list, cur);
      if (label !== undefined) out += ` (${label})`;
    } else out += out === "" ? String(p) : `.${String(p)}`;
    list = p;
  }
  return out;
}
