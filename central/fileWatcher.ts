/**
 * Watches the central's input files by polling their metadata (fs.watchFile), which keeps working
 * when an editor saves by writing a new file and renaming it over the old one (fs.watch would lose
 * the file). A change is reported once the files have been quiet for `settleMs`, so a save in two
 * steps (truncate, then write) is read once, whole.
 */
import { type Stats, unwatchFile, watchFile } from "node:fs";

/** What a FileWatcher is handed. */
export interface FileWatcherOptions {
  files: readonly string[];
  /** Called after a change, once the files have been quiet for `settleMs`. */
  onChange: (files: string[]) => void;
  /** How often each file's metadata is read (default 300 ms). */
  intervalMs?: number;
  /** Quiet time after the last change before onChange (default 150 ms). */
  settleMs?: number;
}

/** Polls files; the constructor only assigns, `start()` watches, `stop()` stops. */
export class FileWatcher {
  private readonly o: FileWatcherOptions;
  private readonly listeners = new Map<string, (curr: Stats, prev: Stats) => void>();
  private readonly changed = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: FileWatcherOptions) {
    this.o = options;
  }

  /** Starts polling every file. */
  start(): void {
    for (const file of new Set(this.o.files)) {
      if (this.listeners.has(file)) continue;
      const listener = (curr: Stats, prev: Stats) => {
        // A file in the middle of a rename-save is briefly missing: wait for it to come back.
        if (curr.nlink === 0 && curr.mtimeMs === 0) return;
        if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
        this.changed.add(file);
        this.schedule();
      };
      this.listeners.set(file, listener);
      watchFile(file, { interval: this.o.intervalMs ?? 300, persistent: true }, listener);
    }
  }

  /** Stops polling; a pending change is dropped. */
  stop(): void {
    for (const [file, listener] of this.listeners) unwatchFile(file, listener);
    this.listeners.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const files = [...this.changed];
      this.changed.clear();
      this.o.onChange(files);
    }, this.o.settleMs ?? 150);
  }
}
