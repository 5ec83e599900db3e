/**
 * The command line's usage texts, made from the verb table (cliVerbs.ts): the top-level usage
 * (`accessgw --help`) and each verb's (`accessgw VERB --help`), wrapped for a terminal.
 */
import { FLAGS, type FlagName, type FlagSpec, GLOBAL_FLAGS, VERBS, type VerbSpec } from "./cliVerbs.js";

const EXIT_CODES =
  "exit codes: 0 done (a deny is an answer), 2 bad input, 1 anything else;\n" +
  "            status: 0 running with no problem, 3 running with problems, 4 not running;\n" +
  "            open, admit, door, emergency: 1 refused, 4 the daemon is not running";

const TIMES =
  "times (--at, --since, --until): HH:MM (today), YYYY-MM-DD HH:MM or ISO 8601; with an offset\n" +
  "                               or Z an instant, without one wall time in the site's time zone";

/** Usage text stays within this many columns (a technician's terminal, a laptop beside a door). */
const WIDTH = 100;

/** The words of a text, keeping a bracketed group (`[--limit N | --last N]`) as one word. */
function words(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let word = "";
  for (const ch of text) {
    if (ch === " " && depth === 0) {
      if (word !== "") out.push(word);
      word = "";
      continue;
    }
    if (ch === "[" || ch === "(") depth++;
    if (ch === "]" || ch === ")") depth = Math.max(0, depth - 1);
    word += ch;
  }
  return word === "" ? out : [...out, word];
}

/** A text after `first`, wrapped at WIDTH, the lines after the first indented by `indent` spaces. */
function wrap(text: string, first: string, indent: number): string[] {
  const lines: string[] = [];
  let line = first;
  let fresh = true;
  for (const word of words(text)) {
    if (!fresh && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = " ".repeat(indent) + word;
    } else line = fresh ? line + word : `${line} ${word}`;
    fresh = false;
  }
  return [...lines, line];
}

/** Two columns: the left one padded, the right one wrapped beside it (below a long left one). */
function columns(rows: [string, string][], width: number): string[] {
  return rows.flatMap(([left, right]) => {
    const head = left.length < width - 1 ? [] : [`  ${left}`];
    const first = head.length > 0 ? " ".repeat(width + 2) : `  ${left.padEnd(width)}`;
    return [...head, ...wrap(right, first, width + 2)];
  });
}

/** The top-level usage: every verb with its synopsis and summary, the common flags, exit codes. */
export function topUsage(): string {
  const verbs = VERBS.flatMap((v) => [
    ...wrap(v.synopsis, `  ${v.name.padEnd(7)} `, 12),
    ...wrap(v.summary, "            ", 12),
  ]);
  return [
    "usage: accessgw <verb> [flags]     (accessgw <verb> --help: its flags and an example)",
    "",
    "verbs:",
    ...verbs,
    "",
    "common flags: --data DIR (default $ACCESSGW_DATA, else ./data), --config FILE, --json, --help,",
    "              --log-level LEVEL (every verb; overrides the configuration's log.level)",
    "--version prints the version",
    TIMES,
    EXIT_CODES,
  ].join("\n");
}

/** The flags a verb takes, with its words where it has its own. */
function verbFlags(verb: VerbSpec): [FlagName, string][] {
  const own = Object.entries(verb.takes) as [FlagName, string | true][];
  const global = GLOBAL_FLAGS.map((name) => [name, true] as [FlagName, true]);
  return [...own, ...global].map(([name, help]) => [name, help === true ? FLAGS[name].help : help]);
}

/** One flag as usage text shows it: `--card N`, `--help, -h`. */
function flagLabel(name: FlagName): string {
  const spec: FlagSpec = FLAGS[name];
  const short = spec.short ? `, -${spec.short}` : "";
  return `--${name}${spec.value ? ` ${spec.value}` : ""}${short}`;
}

/** A verb's usage (`accessgw VERB --help`): synopsis, what it does, each flag, an example. */
export function verbUsage(verb: VerbSpec): string {
  const lines = [
    ...wrap(verb.synopsis, `usage: accessgw ${verb.name} `, 17 + verb.name.length),
    "",
    ...wrap(verb.summary, "", 0),
  ];
  for (const text of verb.details ?? []) lines.push(...wrap(text, "", 0));
  if (Object.keys(verb.takes).length > 0) {
    lines.push(
      "",
      "flags:",
      ...columns(
        verbFlags(verb).map(([n, help]) => [flagLabel(n), help]),
        24,
      ),
    );
    if ("at" in verb.takes || "since" in verb.takes || "until" in verb.takes) lines.push("", TIMES);
  }
  lines.push("", "example:", `  ${verb.example}`);
  return lines.join("\n");
}
