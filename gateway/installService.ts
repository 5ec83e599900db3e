/**
 * `accessgw install-service`: the systemd unit that runs the gateway on its box (as uhppoted's
 * `daemonize` writes one): started at boot, restarted after a crash or a hung event loop
 * (Type=notify with a watchdog: runtime/serviceNotify.ts), reloaded with SIGHUP, and locked down to
 * what a gateway needs — its data folder writable, the serial ports through `dialout`, nothing else.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AccessGwError } from "../config/errors.js";
import { checkGatewayConfig } from "../config/gateway.js";
import { readTextFile } from "../config/textFile.js";
import { usage } from "./cliParse.js";
import type { Flags, Io } from "./cliVerbs.js";
import { gatewayVersion } from "./version.js";

/** Where the unit goes unless --unit says otherwise. */
export const DEFAULT_UNIT_FILE = "/etc/systemd/system/accessgw.service";
export const DEFAULT_SERVICE_USER = "accessgw";
export const DEFAULT_SERVICE_CONFIG = "/etc/accessgw/gateway.yaml";
/** The data folder when neither --data nor the configuration's gateway.data names one (FHS state). */
export const DEFAULT_SERVICE_DATA = "/var/lib/accessgw";
/** systemd restarts the service when no WATCHDOG=1 came for this long (pings go every half of it). */
export const WATCHDOG_SEC = 30;

/** What the unit is made of; every path absolute. */
export interface ServiceUnitOptions {
  user: string;
  config: string;
  data: string;
  /** gateway.dataGroup: a group that may read the data folder; the service's user must belong to it. */
  dataGroup?: string | undefined;
  /** The node binary that runs the gateway (process.execPath). */
  node: string;
  /** The installed bin/accessgw.js. */
  bin: string;
  version: string;
}

/** The unit file's text (systemd.service(5), systemd.exec(5)); pure, so tests check it line by line. */
export function serviceUnit(o: ServiceUnitOptions): string {
  return `# Written by \`accessgw install-service\` (accessgw ${o.version}). Run it again with --force to
# replace it; for local changes use \`systemctl edit accessgw\` (a drop-in survives a re-install).
[Unit]
Description=accessgw access-control gateway (readers, doors, sync with the central)
# The central's broker and a network reader need the network; the gateway also starts without it
# (it decides from its cache and retries the links).
Wants=network-online.target
After=network-online.target
# Never give up restarting: a gateway that stays down leaves members at closed doors.
StartLimitIntervalSec=0

[Service]
Type=notify
NotifyAccess=main
ExecStart=${o.node} ${o.bin} start --config ${o.config}
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=2
WatchdogSec=${WATCHDOG_SEC}
# The daemon stops in at most 5 s (decisions and pulses in flight finish first).
TimeoutStopSec=20
User=${o.user}
Group=${o.user}
# Serial readers and relay boards (/dev/ttyUSB*, /dev/ttyACM*) belong to the dialout group${o.dataGroup ? ";\n# the data folder to gateway.dataGroup" : ""}.
SupplementaryGroups=dialout${o.dataGroup ? ` ${o.dataGroup}` : ""}
Environment=ACCESSGW_DATA=${o.data}
# Member data: files ${o.dataGroup ? "0640 and folders 2750 (gateway.dataGroup)" : "0600 and folders 0700"}.
UMask=${o.dataGroup ? "0027" : "0077"}
# Everything read-only but the data folder; no home folders, a private /tmp.
ProtectSystem=strict
ReadWritePaths=${o.data}
ProtectHome=yes
PrivateTmp=yes
NoNewPrivileges=yes
CapabilityBoundingSet=
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
# Not set on purpose: PrivateDevices (it would hide the serial ports) and MemoryDenyWriteExecute
# (node's JIT compiler needs writable executable memory).

[Install]
WantedBy=multi-user.target
`;
}

/** What a technician does after the unit is written, in order, as commands to copy. */
export function nextSteps(
  o: ServiceUnitOptions & { unitFile: string; userExists: boolean; configExists: boolean },
): string[] {
  const name = basename(o.unitFile).replace(/\.service$/, "");
  const steps = ["next steps (as root):"];
  if (!o.userExists)
    steps.push(
      `  useradd --system --no-create-home --home-dir ${o.data} --shell /usr/sbin/nologin --user-group ${o.user}`,
    );
  steps.push(
    o.dataGroup
      ? `  install -d -m 2750 -o ${o.user} -g ${o.dataGroup} ${o.data}`
      : `  install -d -m 0700 -o ${o.user} -g ${o.user} ${o.data}`,
  );
  if (!o.configExists)
    steps.push(
      `  write ${o.config} (readers, doors, relays, sync), then: accessgw check --config ${o.config}`,
    );
  steps.push(
    `  sudo -u ${o.user} accessgw import site.yaml members.yaml --data ${o.data}    (unless the central sends them)`,
    "  systemctl daemon-reload",
    `  systemctl enable --now ${name}`,
    `  systemctl status ${name}; journalctl -u ${name} -f`,
    `  accessgw status --data ${o.data}`,
  );
  return steps;
}

/** The node binary and bin/accessgw.js this code runs from: what the unit starts. */
function installedCommand(): { node: string; bin: string } {
  // dist/gateway/installService.js (and gateway/installService.ts in a checkout) → bin/accessgw.js
  const bin = fileURLToPath(new URL("../../bin/accessgw.js", import.meta.url));
  const fallback = fileURLToPath(new URL("../bin/accessgw.js", import.meta.url));
  return { node: process.execPath, bin: realpathSync(existsSync(bin) ? bin : fallback) };
}

/** systemd reads `%` as a specifier and splits on spaces: a path it cannot hold is refused, not mangled. */
function unitPath(flag: string, value: string): string {
  const path = resolve(value);
  if (/[\s"'\\%$;]/.test(path))
    throw usage(`${flag} "${value}": a path in a unit file cannot hold spaces, quotes, backslashes, % or $`);
  return path;
}

/** gateway.dataGroup as a unit can name it: a group name or number without spaces. */
function groupName(value: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value))
    throw usage(`gateway.dataGroup "${value}" cannot go into SupplementaryGroups=`);
  return value;
}

/** useradd(8)'s portable names: a letter or _, then letters, digits, _ or -, 32 at most. */
function userName(value: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(value))
    throw usage(`--user "${value}" is not a system user name (lower-case letters, digits, _ and -)`);
  return value;
}

/** The configuration's gateway.data, when the file is there and readable; its problems are refused. */
function configuredData(config: string): {
  exists: boolean;
  data: string | undefined;
  dataGroup: string | undefined;
} {
  if (!existsSync(config)) return { exists: false, data: undefined, dataGroup: undefined };
  const read = readTextFile(config);
  const checked = read.problem === undefined ? checkGatewayConfig(config, read.text) : null;
  const gateway = checked?.config?.gateway;
  if (gateway) return { exists: true, data: gateway.data, dataGroup: gateway.dataGroup };
  const problems = checked?.problems ?? [read.problem as string];
  throw new AccessGwError("CONFIG_INVALID", `invalid gateway configuration:\n  ${problems.join("\n  ")}`, {
    problems,
  });
}

/** True when /etc/passwd names this user (useradd is then not among the next steps). */
function userExists(user: string): boolean {
  try {
    return readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .some((line) => line.startsWith(`${user}:`));
  } catch {
    return false;
  }
}

/**
 * `install-service`: prints the unit (--print) or writes it (default DEFAULT_UNIT_FILE, or --unit)
 * and prints the next steps; an existing different unit is replaced only with --force.
 */
export function runInstallService(flags: Flags, io: Io): number {
  const user = userName(flags.user ?? DEFAULT_SERVICE_USER);
  const config = unitPath("--config", flags.config ?? DEFAULT_SERVICE_CONFIG);
  const fromConfig = configuredData(config);
  const dataGiven = flags.data === undefined ? undefined : unitPath("--data", flags.data);
  const configured = fromConfig.data === undefined ? undefined : resolve(fromConfig.data);
  // The daemon takes the configuration's gateway.data before $ACCESSGW_DATA: the two must agree.
  if (dataGiven !== undefined && configured !== undefined && dataGiven !== configured)
    throw usage(
      `--data ${dataGiven}, but ${config} says gateway.data: ${configured} (the daemon would use that)`,
    );
  const data =
    dataGiven ?? (configured === undefined ? DEFAULT_SERVICE_DATA : unitPath("gateway.data", configured));
  const dataGroup = fromConfig.dataGroup === undefined ? undefined : groupName(fromConfig.dataGroup);
  const options: ServiceUnitOptions = {
    user,
    config,
    data,
    dataGroup,
    ...installedCommand(),
    version: gatewayVersion(),
  };
  const text = serviceUnit(options);
  if (flags.print) {
    io.out(text.trimEnd());
    return 0;
  }
  const unitFile = flags.unit === undefined ? DEFAULT_UNIT_FILE : resolve(flags.unit);
  if (!unitFile.endsWith(".service")) throw usage(`--unit ${unitFile}: a unit file's name ends in .service`);
  const existing = existsSync(unitFile) ? readFileSync(unitFile, "utf8") : null;
  if (existing !== null && existing !== text && !flags.force) {
    io.err(
      `accessgw install-service: ${unitFile} exists and differs; --force replaces it (--print shows the new one)`,
    );
    return 1;
  }
  if (existing === text) io.out(`${unitFile} is already this unit; unchanged`);
  else {
    try {
      // A unit is no secret and systemd reads it as root: the usual 0644.
      writeFileSync(unitFile, text, { mode: 0o644 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const hint = code === "EACCES" || code === "EPERM" ? " (run it as root, or --print it)" : "";
      io.err(`accessgw install-service: cannot write ${unitFile}: ${code ?? String(err)}${hint}`);
      return 1;
    }
    io.out(`wrote ${unitFile}`);
  }
  const steps = nextSteps({
    ...options,
    unitFile,
    userExists: userExists(user),
    configExists: fromConfig.exists,
  });
  io.out(steps.join("\n"));
  return 0;
}
