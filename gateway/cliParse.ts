/**
 * Reads a command line against the verb table (cliVerbs.ts): which verb, its flags and arguments.
 * Anything the table does not allow is bad input (exit 2) with a message naming what is wrong.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { AccessGwError } from "../config/errors.js";
import { asLogLevel, LOG_LEVELS } from "../runtime/logger.js";
import { didYouMean } from "./cliSuggest.js";
import { topUsage } from "./cliUsage.js";
import {
  FLAGS,
  type FlagName,
  type FlagSpec,
  type Flags,
  findVerb,
  GLOBAL_FLAGS,
  VERBS,
  type VerbSpec,
} from "./cliVerbs.js";

/** What the command line asks for. */
export type Command =
  | { kind: "help"; verb: VerbSpec | null }
  | { kind: "version" }
  | { kind: "delegate"; load: NonNullable<VerbSpec["delegate"]>; argv: string[] }
  | { kind: "run"; verb: VerbSpec; flags: Flags; args: string[] };

/** Bad input on the command line (exit 2); main prints it with the verb's usage. */
export function usage(message: string): AccessGwError {
  return new AccessGwError("USAGE", message);
}

/** Where a short usage error sends the reader for the whole usage. */
export function seeHelp(verb?: VerbSpec | null): string {
  return verb ? `see accessgw ${verb.name} --help` : "see accessgw --help";
}

/** A usage error of the parse: one line naming what is wrong, then where the usage is (not all of it). */
function usageError(message: string, verb?: VerbSpec | null): AccessGwError {
  const prefix = verb ? `accessgw ${verb.name}` : "accessgw";
  return new AccessGwError("USAGE", `${prefix}: ${message}\n${seeHelp(verb)}`);
}

/** The names a verb or flag typo is matched against. */
const verbNames = (): string[] => VERBS.map((v) => v.name);
const flagNames = (verb: VerbSpec): string[] => [...Object.keys(verb.takes), ...GLOBAL_FLAGS];

type ParseOptions = NonNullable<ParseArgsConfig["options"]>;
type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

/** parseArgs options for these flags (a repeatable flag is always read as a list). */
function parseOptions(names: readonly FlagName[]): ParseOptions {
  const options: ParseOptions = {};
  for (const name of names) {
    const spec: FlagSpec = FLAGS[name];
    options[name] = {
      type: spec.value ? "string" : "boolean",
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.repeatable ? { multiple: true } : {}),
    };
  }
  return options;
}

/** The tokens of a lenient pass over every flag: where the verb is, and each flag as written. */
function lenientTokens(argv: string[]): Token[] {
  const options: ParseOptions = {
    ...parseOptions(Object.keys(FLAGS) as FlagName[]),
    version: { type: "boolean" },
  };
  return parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true }).tokens ?? [];
}

/** Refuses a flag the verb does not take (saying which verbs take it) and a flag given twice. */
function checkFlags(verb: VerbSpec, tokens: Token[]): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    if (!(t.name in FLAGS))
      throw usageError(`unknown flag ${t.rawName}${didYouMean(t.name, flagNames(verb), "--")}`, verb);
    if (!GLOBAL_FLAGS.includes(t.name as FlagName) && !(t.name in verb.takes)) {
      const others = VERBS.filter((v) => v !== verb && t.name in v.takes).map((v) => v.name);
      const hint = others.length > 0 ? ` (a flag of ${others.join(", ")})` : "";
      throw usageError(`${verb.name} does not take ${t.rawName}${hint}`, verb);
    }
    if (seen.has(t.name) && !verb.repeats?.includes(t.name as FlagName))
      throw usageError(`${t.rawName} given more than once`, verb);
    seen.add(t.name);
  }
}

/** The strict parse with the verb's own flags: a missing value or a value on a switch is refused. */
function verbValues(verb: VerbSpec, args: string[]): { values: Flags; positionals: string[] } {
  const names = [...(Object.keys(verb.takes) as FlagName[]), ...GLOBAL_FLAGS];
  try {
    const options = parseOptions(names);
    return parseArgs({ args, options, strict: true, allowPositionals: true }) as {
      values: Flags;
      positionals: string[];
    };
  } catch (err) {
    throw usageError((err as Error).message, verb);
  }
}

/** `help [VERB]`. */
function helpCommand(positionals: string[]): Command {
  const [about, ...more] = positionals;
  if (more.length > 0) throw usageError(`help takes one verb at most (found "${positionals.join(" ")}")`);
  if (about === undefined) return { kind: "help", verb: null };
  const target = findVerb(about);
  if (!target) throw usageError(`unknown verb "${about}"${didYouMean(about, verbNames())}`);
  return { kind: "help", verb: target };
}

/**
 * Reads the command line against the table. A flag the verb does not take, a flag given twice, a
 * flag without its value or arguments the verb does not take are usage errors (exit 2) that name
 * the flag and the verb and show the verb's usage.
 */
export function parseCommandLine(argv: string[]): Command {
  const tokens = lenientTokens(argv);
  const verbToken = tokens.find((t) => t.kind === "positional");
  if (verbToken?.kind !== "positional") {
    const names = new Set(tokens.map((t) => (t.kind === "option" ? t.name : "")));
    if (names.has("version")) return { kind: "version" };
    if (names.has("help")) return { kind: "help", verb: null };
    // A bare `accessgw` is someone asking what there is: the whole usage, not a pointer to it.
    throw new AccessGwError("USAGE", `accessgw: no verb given\n\n${topUsage()}`);
  }
  const name = verbToken.value;
  const verb = findVerb(name);
  if (!verb) throw usageError(`unknown verb "${name}"${didYouMean(name, verbNames())}`);
  const rest = argv.filter((_, i) => i !== verbToken.index);
  if (verb.delegate) return { kind: "delegate", load: verb.delegate, argv: rest };
  checkFlags(verb, tokens);
  const { values, positionals } = verbValues(verb, rest);
  if (values.help) return { kind: "help", verb };
  const level = values["log-level"];
  if (level !== undefined && asLogLevel(level) === undefined)
    throw usageError(`--log-level must be one of ${LOG_LEVELS.join(", ")} (found "${level}")`, verb);
  if (verb.name === "help") return helpCommand(positionals);
  if (!verb.args && positionals.length > 0)
    throw usageError(
      `${verb.name} takes no arguments besides flags (found "${positionals.join(" ")}")`,
      verb,
    );
  return { kind: "run", verb, flags: values, args: positionals };
}
