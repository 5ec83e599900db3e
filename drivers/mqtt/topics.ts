/**
 * MQTT topic names and filters (MQTT 3.1.1 §4.7 / 5.0 §4.7): pure checks and matching, so the
 * connection can route one incoming message to every handler whose filter it matches.
 */

/** Why `topic` cannot be published to (empty, wildcards, NUL), or undefined when fine. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic.length === 0) return "expected a topic name, found an empty string";
  if (/[+#]/.test(topic)) return `expected a topic name without wildcards (+, #), found "${topic}"`;
  if (topic.includes("\u0000")) return "expected a topic name without NUL characters";
  return undefined;
}

/** Why `filter` is not a valid subscription filter, or undefined when fine. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return "expected a topic filter, found an empty string";
  if (filter.includes("\u0000")) return "expected a topic filter without NUL characters";
  const levels = filter.split("/");
  for (const [i, level] of levels.entries()) {
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
      return `"#" must be a whole level and the last one, found "${filter}"`;
    }
    if (level.includes("+") && level !== "+") return `"+" must be a whole level, found "${filter}"`;
  }
  return undefined;
}

/**
 * Whether a message published on `topic` matches the subscription `filter`: `+` is exactly one
 * level, `#` the rest (including none: `a/#` matches `a`). Wildcards at the first level do not
 * match topics starting with `$` (broker-internal topics such as `$SYS/…`), as the spec says.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === "#") return true;
    if (i >= t.length) return false;
    if (level !== "+" && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** A string usable as one topic level and as a Shelly RPC `src`: other characters become "-". */
export function topicSafe(text: string, fallback = "accessgw"): string {
  const safe = text.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^-+|-+$/g, "");
  return safe.length > 0 ? safe : fallback;
}
