/**
 * Every flag of the gateway's command line: its value's placeholder and what it does. Which verb
 * takes which flag is in the verb table (cliVerbs.ts), which re-exports these.
 */

/** One flag: the placeholder of its value (none for a switch) and what it does. */
export interface FlagSpec {
  /** The value's placeholder in usage text (`N`, `FILE`); absent for a switch. */
  readonly value?: string;
  readonly short?: string;
  /** A flag some verb takes more than once (`emergency --door A --door B`): parsed as a list. */
  readonly repeatable?: true;
  readonly help: string;
}

/** Every flag of the gateway's own verbs; which verb takes which is in VERBS. */
export const FLAGS = {
  data: {
    value: "DIR",
    help: "the state folder (default: the config's gateway.data, else $ACCESSGW_DATA, else ./data)",
  },
  config: { value: "FILE", help: "the gateway configuration (readers, doors, relays, broker, sync)" },
  json: { help: "machine output on stdout (errors and logs go to stderr)" },
  card: { value: "N", help: "the card number as read (R1: 0004215834 is 4215834)" },
  reader: { value: "ID", help: "a reader of --config FILE: its area and direction" },
  area: { value: "A", help: "an area of the site, instead of --reader" },
  direction: { value: "in|out", help: "with --area: entering or leaving (default in)" },
  at: { value: "T", help: "when (default now)" },
  member: { value: "ID", help: "a member id" },
  since: { value: "T", help: "events at T or later" },
  until: { value: "T", help: "events before T" },
  limit: { value: "N", help: "at most the N oldest of what matches" },
  last: { value: "N", help: "the N newest of what matches, still printed oldest first" },
  reason: { value: "R", help: "only this reason code (docs/cli.md lists them)" },
  follow: { help: "after the recorded ones, print new events as they are recorded, until Ctrl-C" },
  kind: { value: "K", help: "only events of this kind: decision, door, alarm or command" },
  door: { value: "D", repeatable: true, help: "a door of --config FILE" },
  mode: { value: "normal|unlocked|locked", help: "the door's mode (doors.md D3)" },
  operator: { value: "NAME", help: "who acts (required: every front-desk action is recorded with it)" },
  multipack: { value: "ID", help: "charge this multipack of the member (staff choose which pays)" },
  free: { help: "admit without charge, whatever the rules say (staff_override)" },
  on: { help: "release the doors (emergency)" },
  off: { help: "reset the doors from emergency" },
  to: { value: "FILE", help: "the backup file to write (0600), or a folder to write a dated one in" },
  from: { value: "FILE", help: "a file written by accessgw backup" },
  force: { help: "do what the verb otherwise refuses (see the verb)" },
  "log-format": {
    value: "json|pretty",
    help: "logs on stderr (default: pretty on a terminal, else JSON lines)",
  },
  for: { value: "DURATION", help: "how long (90s, 10m, 2h; at most 24h), then the configured level again" },
  why: { value: "TEXT", help: "why (recorded in the daemon's log with who asked)" },
  "log-level": {
    value: "LEVEL",
    help: "log level of this run: fatal, error, warn, info, debug, trace or silent (overrides log.level)",
  },
  user: { value: "NAME", help: "the system user the service runs as (default accessgw)" },
  unit: { value: "FILE", help: "where the unit is written (default /etc/systemd/system/accessgw.service)" },
  print: { help: "print the unit on stdout instead of writing it" },
  role: {
    value: "viewer|desk|technician|manager",
    help: "what the user may do in the consoles (README: roles)",
  },
  address: { value: "N", help: "the PD's new address on its bus, 0..126 (127 is the broadcast address)" },
  baud: { value: "B", help: "the PD's new speed: 9600, 19200, 38400, 57600, 115200 or 230400" },
  "password-stdin": { help: "read the password from stdin: one line (asked without echo on a terminal)" },
  help: { short: "h", help: "this verb's usage" },
} as const satisfies Record<string, FlagSpec>;

/** Flags every verb takes: its usage, and the level of its logs. */
export const GLOBAL_FLAGS: readonly FlagName[] = ["log-level", "help"];

/** A flag's name, without its dashes. */
export type FlagName = keyof typeof FLAGS;

/** Parsed flags: strings for flags with a value (a list for a repeatable one), booleans for switches. */
export type Flags = {
  -readonly [K in FlagName]?: (typeof FLAGS)[K] extends { repeatable: true }
    ? string[]
    : (typeof FLAGS)[K] extends { value: string }
      ? string
      : boolean;
};
