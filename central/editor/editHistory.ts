/**
 * Every save of the editor, recorded in the central's data folder: one JSON line per save in an
 * append-only file of its owner only (0600: it names staff and their reasons), synced before the
 * save is reported done.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { SaveRecord } from "./editorApi.js";

/** The history's file name in the central's data folder. */
export const HISTORY_FILE = "editor-history.jsonl";

/** Appends one save to the history in `dataDir`. */
export function recordSave(dataDir: string, record: SaveRecord): void {
  // The central creates its data folder at start; the editor may be asked first.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const fd = openSync(join(dataDir, HISTORY_FILE), "a", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The saves recorded in `dataDir`, oldest first; a line cut short by a crash is skipped. */
export function readHistory(dataDir: string): SaveRecord[] {
  const file = join(dataDir, HISTORY_FILE);
  if (!existsSync(file)) return [];
  const out: SaveRecord[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line) as SaveRecord);
    } catch {
      // Only the last line can be partial (appends are whole lines): nothing after it is lost.
    }
  }
  return out;
}
