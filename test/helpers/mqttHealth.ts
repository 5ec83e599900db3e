import type { MqttConnection } from "../../drivers/mqtt/connection.js";
import type { Health } from "../../drivers/transport/reconnecting.js";

/** Resolves with the first health the connection reports in `state` (at once when it is there). */
export function reaches(c: MqttConnection, state: Health["state"]): Promise<Health> {
  if (c.health().state === state) return Promise.resolve(c.health());
  return new Promise((resolve) => {
    const off = c.on("state", (h) => {
      if (h.state !== state) return;
      off();
      resolve(h);
    });
  });
}
