/**
 * The control of the end-to-end benchmark: a "null gateway" that opens the same ports through the
 * same transport (`serialport` with the hang-up-safe binding) and, on every card line, writes its
 * door's LCUS ON frame at once (OFF after the pulse), with no debounce, decision, database or log.
 * Run under the same load, it shows what Node, `serialport`, the ptys and socat cost on this
 * machine, so that the gateway's own share of the latency can be told apart.
 *
 *   node dist/bench/e2eEcho.js --config DIR/gateway.yaml --pulse-ms 40
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { checkGatewayConfig, doorChannel } from "../config/gateway.js";
import { encodeLcus } from "../drivers/codecs/lcus.js";
import { LineSplitter } from "../drivers/readers/lineSplitter.js";
import { openTransport, type Transport } from "../drivers/transport/transport.js";

const { values: opt } = parseArgs({
  options: { config: { type: "string" }, "pulse-ms": { type: "string", default: "40" } },
});
const file = opt.config;
const pulseMs = Number(opt["pulse-ms"]);
const checked = file ? checkGatewayConfig(file, readFileSync(file, "utf8")) : undefined;
if (!checked?.config || !(pulseMs > 0)) {
  process.stderr.write(
    `usage: e2eEcho --config FILE [--pulse-ms N]\n${checked?.problems.join("\n") ?? ""}\n`,
  );
  process.exit(2);
}
const config = checked.config;
const boards = new Map<string, Transport>();
for (const relay of config.relays) {
  if (relay.driver !== "lcus-serial") continue;
  boards.set(relay.id, await openTransport(relay.port, { baudRate: relay.baudRate }));
}
const opened: Transport[] = [...boards.values()];
for (const reader of config.readers) {
  if (reader.driver !== "serial-line") continue;
  const door = config.doors.find((d) => d.id === reader.door);
  const board = door ? boards.get(door.relay) : undefined;
  if (!door || !board) continue;
  const channel = doorChannel(door, reader.direction);
  const transport = await openTransport(reader.port, { baudRate: reader.baudRate });
  opened.push(transport);
  const splitter = new LineSplitter();
  transport.on("data", (bytes) => {
    for (const line of splitter.push(bytes)) {
      if (line.kind !== "line") continue;
      void board.write(encodeLcus(channel, true)).then(() => {
        setTimeout(() => void board.write(encodeLcus(channel, false)), pulseMs);
      });
    }
  });
  // The same line the gateway logs, so the load generator knows when every reader is open.
  process.stderr.write(
    `${JSON.stringify({ component: "reader", readerId: reader.id, state: "open", msg: "link open" })}\n`,
  );
}
process.once("SIGTERM", () => {
  void Promise.all(opened.map((t) => t.close())).then(() => process.exit(0));
});
