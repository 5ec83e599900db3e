/**
 * The central's side of the snapshot benchmark, in a process of its own so that generating a
 * million members does not run on the gateway's event loop: it generates the members in parts
 * (the benchmark's deterministic member mix), says "ready" on stdout, and when the gateway's hello
 * arrives publishes every part of the snapshot answer (QoS 1, a few in flight) and says "published".
 *
 *   node dist/bench/syncPublisher.js --url mqtt://127.0.0.1:1883 --gateway gw-bench --members 1000000
 */
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { generateMember, newStats } from "./generate.js";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string" },
    prefix: { type: "string", default: "accessgw/v1" },
    gateway: { type: "string", default: "gw-bench" },
    members: { type: "string", default: "1000000" },
    part: { type: "string", default: "500" },
    seed: { type: "string", default: "20261207" },
    rev: { type: "string", default: "1" },
  },
});
const n = Number(opt.members);
const size = Number(opt.part);
const seed = Number(opt.seed);
const parts = Math.max(1, Math.ceil(n / size));
const say = (line: string) => process.stdout.write(`${line}\n`);

const started = performance.now();
const stats = newStats();
const payloads: Buffer[] = [];
let bytes = 0;
for (let p = 0; p < parts; p++) {
  const members: unknown[] = [];
  for (let i = p * size; i < Math.min(n, (p + 1) * size); i++) members.push(generateMember(seed, i, stats));
  const answer = {
    fromRev: 0,
    toRev: Number(opt.rev),
    snapshot: true,
    part: p + 1,
    parts,
    members,
    deletedMembers: [],
  };
  const buf = Buffer.from(JSON.stringify(answer));
  bytes += buf.length;
  payloads.push(buf);
}
say(`ready ${parts} ${bytes} ${Math.round(performance.now() - started)}`);

const client = await mqtt.connectAsync(opt.url as string, {
  clientId: `bench-central-${process.pid}`,
  protocolVersion: 5,
  reconnectPeriod: 1000,
});
const gateway = `${opt.prefix}/gateways/${opt.gateway}`;
let answering = false;
client.on("message", (topic) => {
  if (topic !== `${gateway}/hello` || answering) return;
  answering = true;
  void publishAll();
});
await client.subscribeAsync(`${gateway}/hello`, { qos: 1 });
say("listening");

/** Publishes the parts with up to 8 awaiting their PUBACK. */
async function publishAll(): Promise<void> {
  const t0 = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (const payload of payloads) {
    const sent = client.publishAsync(`${gateway}/sync`, payload, { qos: 1 });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  say(`published ${Math.round(performance.now() - t0)}`);
}

process.stdin.resume();
process.stdin.on("end", () => {
  void client.endAsync().then(() => process.exit(0));
});
