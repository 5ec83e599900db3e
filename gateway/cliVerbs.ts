/**
 * The command line's one table: every verb, the flags it takes, its synopsis and an example.
 * Parsing (cliParse.ts), `accessgw --help`, `accessgw VERB --help` and the checks of docs/cli.md
 * are all derived from it, so a flag cannot be accepted without being documented, nor documented
 * without working.
 */

/** Output streams and environment, handed in so tests and the tour can run the command line in-process. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /**
   * Null when `out` can take more; else a promise of when it can (stdout's backpressure), so a long
   * listing into a slow pipe waits instead of piling up in memory.
   */
  drain?: () => Promise<unknown> | null;
}

import type { FlagName } from "./cliFlags.js";

export { FLAGS, type FlagName, type FlagSpec, type Flags, GLOBAL_FLAGS } from "./cliFlags.js";

/** One verb of the command line. */
export interface VerbSpec {
  readonly name: string;
  /** What follows the verb in the usage line, e.g. `(--card N | --member ID) [--at T]`. */
  readonly synopsis: string;
  /** One line: what it does. */
  readonly summary: string;
  /** The flags it takes (besides --help), each with the default help or its own words. */
  readonly takes: Partial<Record<FlagName, string | true>>;
  /** The repeatable flags it takes more than once (`emergency --door A --door B`). */
  readonly repeats?: readonly FlagName[];
  /** Its arguments besides flags (`FILE...`), when it takes any. */
  readonly args?: string;
  /** More lines for `VERB --help`. */
  readonly details?: readonly string[];
  readonly example: string;
  /** Verbs with a command line of their own (the simulator, the central): loaded only when asked for. */
  readonly delegate?: () => Promise<(argv: string[]) => Promise<number>>;
}

const COMMON = { data: true, config: true, json: true } as const;
/** doors.md D5: every front-desk action says who and why. */
const STAFF = {
  ...COMMON,
  config: "the gateway configuration (finds the data folder, and the daemon, as start does)",
  operator: true,
  reason: "why (required: recorded with the action and sent to the central)",
  json: "the result as JSON: { id, ok, error, eventId, … }",
} as const;
const FRONT_DESK_DETAILS = [
  "It acts on the running daemon of the data folder, through <data>/control.sock (its user and group only).",
  "exit 0 done, 1 refused (the reason is printed), 2 bad input, 4 the daemon is not running.",
] as const;
const WHERE = { card: true, reader: true, area: true, direction: true, at: true } as const;

/** The verbs, in the order `--help` lists them. */
export const VERBS: readonly VerbSpec[] = [
  {
    name: "import",
    args: "FILE...",
    synopsis: "FILE...",
    summary: "load site configuration and/or member data (YAML or JSON)",
    takes: { ...COMMON, json: "the import summary as JSON" },
    details: [
      "Every file is validated first; a file with any problem changes nothing (exit 2, each bad field named).",
      "Members and records are upserted by id; ledger entries merge by their id (R16).",
    ],
    example: "accessgw import site.yaml members.yaml --data /var/lib/accessgw",
  },
  {
    name: "explain",
    synopsis: "--card N (--reader ID | --area A [--direction in|out]) [--at T]",
    summary: "what would happen if card N were scanned there then (records nothing)",
    takes: { ...COMMON, ...WHERE, json: "the decision JSON" },
    example: "accessgw explain --card 0004215834 --area pool --at 2026-12-14T17:00",
  },
  {
    name: "scan",
    synopsis: "(same flags as explain)",
    summary: "decide and record, exactly as a scan at a real reader would (R14)",
    takes: { ...COMMON, ...WHERE, json: "the recorded event as JSON" },
    example: "accessgw scan --card 4215834 --reader pool-in --config gateway.yaml",
  },
  {
    name: "balance",
    synopsis: "(--card N | --member ID) [--at T]",
    summary: "the member's multipacks: dates, credits left, allowances left this period",
    takes: { ...COMMON, card: true, member: true, at: true, json: "the balance as JSON" },
    example: "accessgw balance --card 4215834",
  },
  {
    name: "events",
    synopsis:
      "[--card N] [--member ID] [--reader ID] [--reason R] [--kind K] [--since T] [--until T] [--limit N | --last N] [--follow]",
    summary: "the recorded events (decisions, doors, alarms, commands), oldest first; all filters must match",
    takes: {
      ...COMMON,
      card: "only this card's events (R1: 0004215834 is 4215834)",
      member: "only this member's events",
      reader: "only the events of this reader",
      reason: true,
      since: true,
      until: true,
      limit: true,
      last: true,
      follow: true,
      kind: true,
      json: "one event JSON per line (docs/cli.md: decisions, doors, alarms, commands)",
    },
    details: ["--follow ends on Ctrl-C (SIGINT) or SIGTERM with exit 0; it cannot be combined with --limit."],
    example: "accessgw events --card 4215834 --since 2026-12-14 --json",
  },
  {
    name: "check",
    synopsis: "--config FILE",
    summary: "validate a gateway configuration: every problem at once (exit 2 when any)",
    takes: {
      ...COMMON,
      config: "the gateway configuration to check",
      json: "{ ok, problems, areasChecked }",
    },
    details: ["With a cache in the data folder, readers' areas are checked against the imported site too."],
    example: "accessgw check --config gateway.yaml",
  },
  {
    name: "start",
    synopsis: "--config FILE [--log-format json|pretty]",
    summary: "run the gateway daemon until SIGINT/SIGTERM (logs on stderr)",
    takes: { data: true, config: "the gateway configuration", "log-format": true },
    details: [
      "A bad configuration is refused (exit 2) before anything is opened; SIGHUP reloads the configuration (see reload).",
    ],
    example: "accessgw start --config /etc/accessgw/gateway.yaml",
  },
  {
    name: "status",
    synopsis: "--config FILE",
    summary: "is the daemon running? its problems, each reader, relay and the sync link",
    takes: {
      ...COMMON,
      config: "the gateway configuration (finds the data folder as start does)",
      json: '{ "running", "reason", "status" }',
    },
    details: ["exit 0 running with no problem, 3 running with problems, 4 not running, 2 bad input"],
    example: "accessgw status --config /etc/accessgw/gateway.yaml",
  },
  {
    name: "reload",
    synopsis: "--config FILE [--json]",
    summary: "the running daemon reads its configuration file again (the same as SIGHUP)",
    takes: {
      ...COMMON,
      config:
        "finds the data folder, and the daemon, as start does (the daemon reads the file it started with)",
      json: "{ ok, file, changes, problems }",
    },
    details: [
      "Added readers, relays, inputs and doors start, removed ones stop, changed ones restart; the others go on undisturbed.",
      "A file with any problem changes nothing: the problems are printed, logged and shown by status until a good reload.",
      "exit 0 reloaded, 2 refused (each problem printed), 4 the daemon is not running, 1 anything else.",
    ],
    example: "accessgw reload --config /etc/accessgw/gateway.yaml",
  },
  {
    name: "open",
    synopsis: "--door D [--direction in|out] --operator NAME --reason WHY",
    summary: "front desk: pulse a door once (granted remote_open, no member, no charge)",
    takes: { ...STAFF, door: true, direction: "which way the door opens (a two-way door)" },
    details: FRONT_DESK_DETAILS,
    example: 'accessgw open --door pool-gate --operator anna --reason "delivery" --config gateway.yaml',
  },
  {
    name: "admit",
    synopsis: "--card N (--reader ID | --area A) [--multipack ID | --free] --operator NAME --reason WHY",
    summary: "front desk: admit a member by hand and open the door of that reader (or the area's entry)",
    takes: {
      ...STAFF,
      card: true,
      reader: "the reader whose door opens",
      area: "an area: its entry door opens",
      multipack: true,
      free: true,
    },
    details: [
      "With --multipack that pack pays when it can be used there now, else the admit is refused with why;",
      "with --free nothing is charged; with neither the rules decide as for a scan.",
      ...FRONT_DESK_DETAILS,
    ],
    example:
      'accessgw admit --card 4215834 --reader pool-in --multipack mp-1 --operator anna --reason "no card"',
  },
  {
    name: "door",
    synopsis: "--door D --mode normal|unlocked|locked [--until T] --operator NAME --reason WHY",
    summary: "front desk: set a door's mode (until T, then its schedule again)",
    takes: {
      ...STAFF,
      door: true,
      mode: true,
      until: "when the mode ends and the door returns to its schedule (default: until changed)",
    },
    details: FRONT_DESK_DETAILS,
    example: "accessgw door --door pool-gate --mode locked --until 18:00 --operator marco --reason cleaning",
  },
  {
    name: "emergency",
    synopsis: "(--on | --off) [--door D ...] --operator NAME --reason WHY",
    summary: "front desk: release (--on) or reset (--off) the named doors, every door when none is named",
    takes: { ...STAFF, on: true, off: true, door: "a door to release or reset (repeat for more)" },
    repeats: ["door"],
    details: FRONT_DESK_DETAILS,
    example: 'accessgw emergency --on --operator marco --reason "fire drill" --config gateway.yaml',
  },
  {
    name: "log-level",
    args: "LEVEL",
    synopsis: "LEVEL [--for DURATION] [--why TEXT]",
    summary: "change the running daemon's log level now (reset: back to the configured one)",
    takes: {
      data: true,
      config: "the gateway configuration (finds the data folder, and the daemon, as start does)",
      for: true,
      why: true,
      json: "the daemon's answer: { ok, level, configured, until }",
    },
    details: [
      "LEVEL is fatal, error, warn, info, debug, trace, silent, or reset. The change is logged with who",
      "asked (the OS user) and why; a restart or --for ending puts gateway.yaml's log.level back.",
      "exit 0 done, 1 refused, 2 bad input, 4 the daemon is not running.",
    ],
    example: 'accessgw log-level debug --for 10m --why "pool-in drops cards" --config gateway.yaml',
  },
  {
    name: "install-service",
    synopsis: "[--user NAME] [--config FILE] [--data DIR] [--unit FILE] [--print] [--force]",
    summary: "write the systemd unit that runs the daemon at boot (Type=notify, watchdog, restart)",
    takes: {
      user: true,
      config: "the configuration the service starts with (default /etc/accessgw/gateway.yaml)",
      data: "its data folder, the one writable path (default the config's gateway.data, else /var/lib/accessgw)",
      unit: true,
      print: true,
      force: "replace a different unit already there",
    },
    details: [
      "It prints the next steps: the user and folder to create, systemctl daemon-reload, systemctl enable --now.",
      "A different unit already there is left alone (exit 1) unless --force; the same one is left unchanged.",
    ],
    example: "accessgw install-service --user accessgw --config /etc/accessgw/gateway.yaml",
  },
  {
    name: "backup",
    synopsis: "--to FILE",
    summary: "a consistent copy of the cache, taken while the daemon runs and scans go on",
    takes: {
      ...COMMON,
      to: true,
      json: "what was written: file, bytes, gatewayId, schemaVersion, highestSeq…",
    },
    details: [
      "The copy records its gateway id, schema version, highest event seq, time and version inside it.",
    ],
    example: "accessgw backup --to /media/usb/ --config /etc/accessgw/gateway.yaml",
  },
  {
    name: "restore",
    synopsis: "--from FILE [--force]",
    summary: "put a backup back as the cache (refused while the daemon runs)",
    takes: {
      ...COMMON,
      from: true,
      force: "restore a backup of another gateway id all the same",
      json: "what was restored and where the old cache went",
    },
    details: [
      "The replaced cache is kept as accessgw.db.before-restore-<time>. exit 2: not a backup, damaged, or of",
      "another gateway (without --force); exit 1: a daemon runs on the data folder.",
    ],
    example:
      "accessgw restore --from /media/usb/accessgw-pool-1-2026-12-06T06-41-07.db --config gateway.yaml",
  },
  {
    name: "user",
    args: "add|list|remove|passwd [NAME]",
    synopsis: "add NAME --role ROLE --password-stdin | list | remove NAME | passwd NAME --password-stdin",
    summary: "the consoles' logins: add, list or remove a user, or set a new password",
    takes: {
      data: "the data folder of the users file: the gateway's, or the central's (--data <central data dir>)",
      config: "the gateway configuration (finds the data folder as start does)",
      role: "add: viewer, desk, technician or manager",
      "password-stdin": true,
      json: "list: { file, users: [{ name, role, created, changed }] }; the others: { done, user }",
    },
    details: [
      "Works while the daemon runs: a new user can log in at once; a removed user or a new password ends",
      "that user's sessions at their next request. Names: a-z, 0-9, '.', '_', '-', at most 32; passwords: 8–256 characters.",
      "Passwords are kept as scrypt hashes in <data>/users.json (0600), never printed or logged.",
      "exit 0 done, 2 bad input (name, role, password, an unknown user, a user that exists), 1 anything else.",
    ],
    example: "accessgw user add anna --role desk --password-stdin --config /etc/accessgw/gateway.yaml",
  },
  {
    name: "osdp",
    args: "keyset|comset",
    synopsis:
      "keyset --reader R --config FILE [--json] | comset --reader R --address N [--baud B] --config FILE [--json]",
    summary:
      "keyset: a new random secure channel key on an OSDP reader, stored in its scbkFile; comset: a reader's new address or speed",
    takes: {
      ...COMMON,
      config: "the gateway configuration: the reader's port, speed, address and scbkFile",
      reader: "the osdp reader whose PD gets the new key (keyset) or the new settings (comset)",
      address: "comset: the PD's new address, 0..126, not another reader's on the same port",
      baud: "comset: the PD's new speed (default: as now); only for a reader alone on its port",
      json: "keyset: { reader, address, file, via }; comset: { reader, from, to, confirmed, change }",
    },
    details: [
      "keyset: the PD must be in install mode (its manual says how) or on the key its scbkFile holds. The new key is written to a temp file (0600) first and moved over scbkFile only once the PD ACKs KEYSET; a NAK leaves scbkFile as it was, no answer keeps the sent key in <scbkFile>.unconfirmed. The key is never printed.",
      "comset: COMSET goes to the PD at the address and speed the config gives it now, under its secure channel as configured; then the port is opened again at the new speed and the PD must answer at the new address. It prints what to change in the reader's entry (address:, baudRate:); the config file is never rewritten.",
      "Both open the reader's port themselves: stop the daemon first (they refuse while one runs on the data folder).",
      "exit 0 done, 1 the PD refused or did not answer, or the daemon runs, 2 bad input: an unknown reader or not osdp; for keyset no scbkFile; for comset an address out of range or taken on the port, a speed OSDP lacks, a speed change on a shared port.",
    ],
    example: "accessgw osdp keyset --reader pool-in --config /etc/accessgw/gateway.yaml",
  },
  {
    name: "sim",
    synopsis: "--config sim.yaml [--scenario FILE]",
    summary: "the hardware simulator (docs/simulator.md; also installed as accessgw-sim)",
    takes: {},
    example: "accessgw sim --config config/demo/sim.yaml",
    delegate: async () => (await import("../firmware-sim/cli.js")).main,
  },
  {
    name: "central",
    synopsis: "--site S --site-config FILE [--members FILE] --broker URL",
    summary: "the reference central server, until SIGINT/SIGTERM (docs/central.md)",
    takes: {},
    example: "accessgw central --site rome-center --site-config site.yaml --broker mqtt://127.0.0.1:1883",
    delegate: async () => (await import("../central/cli.js")).main,
  },
  {
    name: "help",
    args: "VERB",
    synopsis: "[VERB]",
    summary: "this text, or a verb's usage (also --help, -h)",
    takes: {},
    example: "accessgw help events",
  },
];

/** The verb of this name, if the command line has one. */
export function findVerb(name: string): VerbSpec | undefined {
  return VERBS.find((v) => v.name === name);
}
