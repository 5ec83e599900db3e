/**
 * The file import figure (issue 8): `accessgw import` of one generated members file of about N MB,
 * as YAML and as JSON, run as the real command line in a child process: its wall time, MB/s and peak
 * resident memory. Generating the files is not counted.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { generateMember, newStats } from "./generate.js";
import { markdownTable } from "./report.js";
import { SITE } from "./site.js";
import { MB } from "./stats.js";

/** One format's figures. */
export interface FileImportRow {
  format: "yaml" | "json";
  fileMb: number;
  members: number;
  seconds: number;
  mbPerSecond: number;
  peakRssMb: number;
}

/** Reports the process's peak resident memory on stderr as it exits. */
const PEAK_RSS = `data:text/javascript,process.on("exit",()=>process.stderr.write("peakRssKb="+process.resourceUsage().maxRSS+"\\n"))`;

/** Writes members of the benchmark's data set until the file holds about `mb` MB; returns how many. */
function writeMembers(path: string, format: "yaml" | "json", mb: number, seed: number): number {
  const fd = openSync(path, "w");
  const stats = newStats();
  let size = writeSync(fd, format === "json" ? '{"members": [\n' : "members:\n");
  let i = 0;
  for (; size < mb * MB; i++) {
    const m = generateMember(seed, i, stats);
    // A block list, one `- ` per member, as people and most tools write YAML.
    const text =
      format === "json"
        ? `${i > 0 ? ",\n" : ""}${JSON.stringify(m)}`
        : stringify([m]).replace(/^/gm, "  ").trimEnd().concat("\n");
    size += writeSync(fd, text);
  }
  writeSync(fd, format === "json" ? "\n]}\n" : "");
  closeSync(fd);
  return i;
}

/** Runs the import of `file` into a fresh data folder (the site imported first); its wall time and peak RSS. */
function timedImport(
  bin: string,
  site: string,
  file: string,
  data: string,
): { seconds: number; peakKb: number } {
  rmSync(data, { recursive: true, force: true });
  const first = spawnSync(process.execPath, [bin, "import", site, "--data", data], { encoding: "utf8" });
  if (first.status !== 0) throw new Error(`importing the site failed: ${first.stderr}`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--import", PEAK_RSS, bin, "import", file, "--data", data], {
    encoding: "utf8",
  });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
  return { seconds, peakKb: Number(/peakRssKb=(\d+)/.exec(run.stderr)?.[1]) };
}

/** Measures the import of a YAML and a JSON members file of about `mb` MB each, in `dir`. */
export function runFileImport(root: string, dir: string, mb: number, seed: number): FileImportRow[] {
  mkdirSync(dir, { recursive: true });
  const bin = resolve(root, "bin/accessgw.js");
  const site = join(dir, "site.json");
  writeFileSync(site, JSON.stringify(SITE));
  const rows: FileImportRow[] = [];
  for (const format of ["yaml", "json"] as const) {
    const file = join(dir, `members.${format}`);
    process.stderr.write(`files: writing ${mb} MB of ${format}\n`);
    const members = writeMembers(file, format, mb, seed);
    const fileMb = statSync(file).size / MB;
    process.stderr.write(`files: importing ${file}\n`);
    const { seconds, peakKb } = timedImport(bin, site, file, join(dir, "data"));
    rows.push({ format, fileMb, members, seconds, mbPerSecond: fileMb / seconds, peakRssMb: peakKb / 1024 });
    rmSync(file, { force: true });
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

const fixed = (n: number, digits = 1) => n.toFixed(digits);

/** The figures as a markdown table with what was run. */
export function renderFilesMarkdown(rows: FileImportRow[], date: string, command: string): string {
  return [
    `Measured ${date} with \`${command}\`: \`accessgw import\` of one members file (the benchmark's`,
    "data set; the site imported before), as a child process; generation not counted.",
    "",
    ...markdownTable(
      ["format", "file (MB)", "members", "time (s)", "MB/s", "peak RSS (MB)"],
      rows.map((r) => [
        r.format,
        fixed(r.fileMb),
        r.members.toLocaleString("en"),
        fixed(r.seconds),
        fixed(r.mbPerSecond, 2),
        fixed(r.peakRssMb, 0),
      ]),
      1,
    ),
  ].join("\n");
}

/** The figures as text for the terminal. */
export function renderFilesText(rows: FileImportRow[]): string {
  return rows
    .map(
      (r) =>
        `${r.format.padEnd(5)} ${fixed(r.fileMb).padStart(7)} MB  ${String(r.members).padStart(8)} members  ${fixed(r.seconds).padStart(7)} s  ${fixed(r.mbPerSecond, 2).padStart(6)} MB/s  peak RSS ${fixed(r.peakRssMb, 0)} MB`,
    )
    .join("\n");
}
