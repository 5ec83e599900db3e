/** Error codes shared by every layer; `code` lets callers react without parsing messages. */
export type ErrorCode =
  | "CONFIG_INVALID"
  | "DATA_INVALID"
  | "USAGE"
  | "UNKNOWN_READER"
  | "UNKNOWN_AREA"
  | "UNKNOWN_MEMBER"
  | "NO_SITE"
  | "GATEWAY_ID_MISMATCH"
  | "STORE";

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

  /** Bad input (usage, file, config, unknown reader) — exit code 2 on the command line. */
  get isBadInput(): boolean {
    return this.code !== "STORE";
  }
}

/** Formats a zod/record path as `members[3].multipacks[0].product`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}
