/**
 * The scraper of the /metrics figure, in its own process as Prometheus would be: `count` GETs of
 * `url` on one keep-alive connection, `gapMs` apart; sends the round trips (ms) and the last
 * text's size to its parent over IPC.
 */
import { Agent, get } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

/** What the parent sends. */
export interface ScrapeOrder {
  url: string;
  count: number;
  gapMs: number;
}

/** What the child answers. */
export interface ScrapeReport {
  times: number[];
  bytes: number;
}

/** One GET: resolves with the status and body. */
function scrape(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

process.once("message", async (order: ScrapeOrder) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < order.count; i++) {
    const t0 = performance.now();
    const { status, body } = await scrape(order.url, agent);
    times.push(performance.now() - t0);
    if (status !== 200) throw new Error(`/metrics answered ${status}`);
    bytes = body.length;
    await sleep(order.gapMs);
  }
  agent.destroy();
  process.send?.({ times, bytes } satisfies ScrapeReport, () => process.exit(0));
});
