/**
 * Reload (cli.md `reload`, SIGHUP): the daemon reads the gateway.yaml it was started with again and
 * checks it exactly as `start` does (config/gatewayFile.ts, then the start checks against the data
 * folder). A file with any problem, or one that changes what only a restart can (the gateway id, the
 * data folder), is refused whole: the running configuration stays, the problems are logged and
 * shown in status until the next good reload. A good file is applied by configDiff.ts's plan.
 */
import type { Logger } from "pino";
import type { GatewayConfig, GatewayConfigCheck } from "../config/gateway.js";
import { readGatewayConfigFile } from "../config/gatewayFile.js";
import { describeChange, planReload, type ReloadPlan } from "./configDiff.js";
import type { DaemonReply } from "./daemonRequests.js";
import { configRefusal } from "./startChecks.js";
import type { Store } from "./store/db.js";

/** What a reload did: the changes made, or the problems it was refused for. */
export interface ReloadOutcome {
  ok: boolean;
  /** The file read (the one the daemon was started with). */
  file: string;
  /** One line per change ("reader pool-in restarted (port changed)"); empty when refused. */
  changes: string[];
  /** Why it was refused; empty when it was applied. */
  problems: string[];
}

/**
 * Called around every reload, refused or not: the service manager's notifier hooks in here
 * (systemd's RELOADING=1 before, READY=1 after).
 */
export interface ReloadHooks {
  onReloading?: () => void;
  onReloaded?: (outcome: ReloadOutcome) => void;
}

/** The gateway as a reload sees it (daemon.ts Gateway). */
export interface Reloadable {
  readonly config: GatewayConfig;
  reconfigure(next: GatewayConfig, plan: ReloadPlan): Promise<void>;
}

/** What a Reloader is handed. */
export interface ReloaderOptions {
  /** The configuration file the daemon was started with, as given. */
  file: string;
  dataDir: string;
  /** The id the daemon records events under. */
  gatewayId: string;
  store: Store;
  gateway: Reloadable;
  logger: Logger;
  hooks?: ReloadHooks;
  /** Reads and checks the file; readGatewayConfigFile by default. */
  read?: (file: string) => GatewayConfigCheck;
}

/** A reload's outcome as the control socket answers it (daemonRequests.ts): refused ones say why in `error`. */
export function reloadReply(outcome: ReloadOutcome): DaemonReply {
  return outcome.ok ? { ...outcome } : { ...outcome, error: outcome.problems.join("; ") };
}

/** The daemon's reloads, one at a time, and the problems of the last refused one. */
export class Reloader {
  private readonly o: ReloaderOptions;
  private refused: string[] = [];
  private last: Promise<unknown> = Promise.resolve();

  constructor(options: ReloaderOptions) {
    this.o = options;
  }

  /** Status problems while the last reload stands refused (cleared by the next good one). */
  problems(): string[] {
    return this.refused.map((p) => `reload refused, the previous configuration runs: ${p}`);
  }

  /** Reads the file again and applies it, or refuses it whole; a reload asked for during another waits for it. */
  reload(): Promise<ReloadOutcome> {
    const next = this.last.then(() => this.reloadNow());
    this.last = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    const { hooks, logger } = this.o;
    hooks?.onReloading?.();
    let outcome: ReloadOutcome;
    try {
      outcome = await this.apply();
    } catch (err) {
      // A part that failed to restart: what did start runs; the operator is told and may reload again.
      logger.error({ err, file: this.o.file }, "reload failed part way");
      outcome = this.refuse([`applying it failed: ${(err as Error).message}`]);
    }
    hooks?.onReloaded?.(outcome);
    return outcome;
  }

  private async apply(): Promise<ReloadOutcome> {
    const { file, dataDir, gatewayId, store, gateway, logger } = this.o;
    logger.info({ file }, "reloading the configuration");
    const checked = (this.o.read ?? readGatewayConfigFile)(file);
    if (checked.config === null) return this.refuse(checked.problems);
    const refusal = configRefusal(store, store.siteConfig(), { file, raw: checked.raw, dataDir, gatewayId });
    if (refusal !== null) return this.refuse(refusal.problems);
    const plan = planReload(gateway.config, checked.config);
    if (plan.needsRestart.length > 0) return this.refuse(plan.needsRestart.map((p) => `${file}: ${p}`));
    await gateway.reconfigure(checked.config, plan);
    this.refused = [];
    if (plan.changes.length === 0) logger.info({ file }, "reloaded: nothing changed");
    else logger.info({ file, changes: plan.changes.length }, "reloaded");
    return { ok: true, file, changes: plan.changes.map(describeChange), problems: [] };
  }

  private refuse(problems: string[]): ReloadOutcome {
    const { file, logger } = this.o;
    this.refused = problems;
    for (const problem of problems) logger.error({ file, problem }, "reload refused");
    logger.warn({ file, problems: problems.length }, "reload refused: the running configuration stays");
    return { ok: false, file, changes: [], problems };
  }
}
