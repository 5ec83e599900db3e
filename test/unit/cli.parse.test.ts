import { describe, expect, it } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { parseCommandLine } from "../../gateway/cliParse.js";
import { topUsage, verbUsage } from "../../gateway/cliUsage.js";
import { FLAGS, type FlagName, GLOBAL_FLAGS, VERBS } from "../../gateway/cliVerbs.js";

/** The usage error parseCommandLine throws for argv (fails the test when it throws none). */
function refusal(argv: string[]): AccessGwError {
  try {
    parseCommandLine(argv);
  } catch (err) {
    if (err instanceof AccessGwError) return err;
    throw err;
  }
  throw new Error(`accessgw ${argv.join(" ")} was accepted`);
}

const ownVerbs = VERBS.filter((v) => !v.delegate && v.name !== "help");
const allFlags = Object.keys(FLAGS) as FlagName[];
/** A value for a flag that takes one, so that only the flag itself can be wrong. */
const withValue = (flag: FlagName): string[] => ("value" in FLAGS[flag] ? [`--${flag}`, "x"] : [`--${flag}`]);

describe("every verb refuses the flags it does not take (exit 2), naming the flag and the verb", () => {
  const cases = ownVerbs.flatMap((verb) =>
    allFlags.filter((f) => !GLOBAL_FLAGS.includes(f) && !(f in verb.takes)).map((flag) => ({ verb, flag })),
  );

  it.each(cases)("$verb.name --$flag", ({ verb, flag }) => {
    const err = refusal([verb.name, ...withValue(flag)]);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(new RegExp(`^accessgw ${verb.name}: ${verb.name} does not take --${flag}`));
    // §8: one line and where the usage is, not the whole usage.
    expect(err.message).toMatch(new RegExp(`\\nsee accessgw ${verb.name} --help$`));
    expect(err.message).not.toContain(verbUsage(verb));
  });

  it("refuses `events --card 4242424` no more: it is a filter of events now", () => {
    const command = parseCommandLine(["events", "--card", "4242424"]);
    expect(command).toMatchObject({ kind: "run", flags: { card: "4242424" } });
  });

  it("says which verbs take a flag that this verb does not", () => {
    expect(refusal(["events", "--log-format", "json"]).message).toMatch(
      /^accessgw events: events does not take --log-format \(a flag of start\)/,
    );
    expect(refusal(["check", "--bogus"]).message).toMatch(/^accessgw check: unknown flag --bogus\n/);
  });

  it("accepts every flag a verb takes, wherever it stands", () => {
    for (const verb of ownVerbs) {
      const flags = Object.keys(verb.takes) as FlagName[];
      const argv = [...flags.flatMap(withValue), verb.name, ...(verb.args ? ["file.yaml"] : [])];
      const command = parseCommandLine(argv);
      expect(command.kind, verb.name).toBe("run");
      if (command.kind === "run") expect(Object.keys(command.flags).sort()).toEqual([...flags].sort());
    }
  });
});

describe("other bad command lines are refused with exit 2 and say what is wrong", () => {
  it.each([
    [["events", "--card", "1", "--card", "2"], /--card given more than once/],
    [["events", "--card"], /--card <value>' argument missing/],
    [["events", "--json=yes"], /--json' does not take an argument/],
    [["events", "today"], /events takes no arguments besides flags \(found "today"\)/],
    [["balance", "extra", "--card", "1"], /balance takes no arguments besides flags/],
    [[], /^accessgw: no verb given/],
    [["--data", "d"], /^accessgw: no verb given/],
    [["frobnicate"], /^accessgw: unknown verb "frobnicate"/],
    [["help", "frobnicate"], /unknown verb "frobnicate"/],
    [["help", "events", "scan"], /help takes one verb at most/],
  ])("%j", (argv, message) => {
    const err = refusal(argv as string[]);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
  });
});

describe("did-you-mean for verbs and flags (§8)", () => {
  it.each([
    [["evnts"], 'accessgw: unknown verb "evnts" — did you mean events?\nsee accessgw --help'],
    [["improt", "a.yaml"], 'accessgw: unknown verb "improt" — did you mean import?\nsee accessgw --help'],
    [["help", "balanse"], 'accessgw: unknown verb "balanse" — did you mean balance?\nsee accessgw --help'],
    [
      ["events", "--lmit", "3"],
      "accessgw events: unknown flag --lmit — did you mean --limit?\nsee accessgw events --help",
    ],
    [
      ["scan", "--crad", "1"],
      "accessgw scan: unknown flag --crad — did you mean --card?\nsee accessgw scan --help",
    ],
    [
      ["status", "--jsno"],
      "accessgw status: unknown flag --jsno — did you mean --json?\nsee accessgw status --help",
    ],
  ])("%j", (argv, message) => {
    const err = refusal(argv as string[]);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(message);
  });

  it("suggests nothing when nothing is close (a guess would mislead)", () => {
    expect(refusal(["frobnicate"]).message).toBe('accessgw: unknown verb "frobnicate"\nsee accessgw --help');
    expect(refusal(["events", "--colour"]).message).toBe(
      "accessgw events: unknown flag --colour\nsee accessgw events --help",
    );
  });

  it("suggests only the flags of the verb typed (--lmit on scan has no --limit to offer)", () => {
    expect(refusal(["scan", "--lmit", "3"]).message).not.toContain("did you mean");
  });

  it("a bare accessgw still shows the whole usage: someone is asking what there is", () => {
    expect(refusal([]).message).toContain(topUsage());
  });
});

describe("help and version", () => {
  it("--help, -h and `help` without a verb ask for the top-level usage", () => {
    for (const argv of [["--help"], ["-h"], ["help"]])
      expect(parseCommandLine(argv)).toEqual({ kind: "help", verb: null });
  });

  it("VERB --help, VERB -h and `help VERB` ask for the verb's usage", () => {
    for (const verb of ownVerbs)
      for (const argv of [
        [verb.name, "--help"],
        [verb.name, "-h"],
        ["help", verb.name],
      ])
        expect(parseCommandLine(argv)).toEqual({ kind: "help", verb });
  });

  it("--version asks for the version", () => {
    expect(parseCommandLine(["--version"])).toEqual({ kind: "version" });
  });

  it("hands the simulator and the central their whole command line, without the verb", () => {
    const command = parseCommandLine(["central", "--site", "s", "--broker", "mqtt://x", "--help"]);
    expect(command).toEqual({
      kind: "delegate",
      load: VERBS.find((v) => v.name === "central")?.delegate,
      argv: ["--site", "s", "--broker", "mqtt://x", "--help"],
    });
  });

  it("the top-level usage lists every verb, the common flags and exit codes", () => {
    const text = topUsage();
    for (const verb of VERBS) expect(text).toMatch(new RegExp(`^ {2}${verb.name} +\\S`, "m"));
    expect(text).toContain("--version");
    expect(text).toContain("3 running with problems, 4 not running");
  });

  it("a verb's usage shows every flag it takes, --help, and an example", () => {
    for (const verb of ownVerbs) {
      const text = verbUsage(verb);
      expect(text).toMatch(new RegExp(`^usage: accessgw ${verb.name} `));
      for (const flag of Object.keys(verb.takes)) expect(text).toMatch(new RegExp(`^ {2}--${flag}\\b`, "m"));
      expect(text).toMatch(/^ {2}--help, -h /m);
      expect(text).toContain(`example:\n  accessgw ${verb.name} `);
      for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
    }
  });
});
