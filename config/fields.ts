/**
 * Field schemas shared by the device sections of the gateway configuration (readers, relays,
 * inputs): serial ports, MQTT topics, JSON field paths, and the union on `driver`.
 */
import { z } from "zod";
import { MODBUS_UNIT } from "./deviceLimits.js";
import { serialPortProblem } from "./gatewayChecks.js";

/** A string checked by `problem` (undefined when fine), so the message says what was expected. */
export function checkedString(problem: (s: string) => string | undefined) {
  return z.string().superRefine((s, ctx) => {
    const message = problem(s);
    if (message !== undefined) ctx.addIssue({ code: "custom", message });
  });
}

/** Where a serial driver's bytes come from: a device path, or `tcp://host:port` (device server, simulator). */
export const SerialPort = checkedString(serialPortProblem).describe(
  "a serial device path (/dev/serial/by-id/…, /dev/ttyUSB0, COM3) or tcp://host:port",
);
/** A serial line's speed. */
export const BaudRate = z.number().int().min(50).max(4_000_000).default(9600);
/** An MQTT topic to publish to or subscribe under: no wildcards, no spaces. */
export const Topic = z
  .string()
  .min(1)
  .regex(/^[^#+\s]+$/, { error: "expected an MQTT topic without wildcards (+, #) or spaces" });
/** A topic readers subscribe to: `+` may stand for one level, `#` is refused (it would take every reading). */
export const ReadTopic = z
  .string()
  .min(1)
  .regex(/^[^#\s]+$/, { error: "expected an MQTT topic without # or spaces" });
/** A dotted path into a JSON payload, e.g. "data.uid". */
export const FieldPath = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, {
  error: 'expected a dotted field path such as "data.uid"',
});

/** A discriminated union on `driver` whose message for an unknown driver lists the known ones. */
export function byDriver<
  const T extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]],
>(options: T, known: readonly string[]) {
  return z.discriminatedUnion("driver", options, {
    error: (iss) => {
      if (iss.code !== "invalid_union") return undefined;
      const found = (iss.input as { driver?: unknown } | undefined)?.driver;
      const expected = `expected one of ${known.join(" | ")}`;
      return found === undefined
        ? `missing driver: ${expected}`
        : `unknown driver ${JSON.stringify(found)}: ${expected}`;
    },
  });
}

/** A Modbus RTU device's unit address on its bus. */
export const ModbusUnit = z
  .number()
  .int()
  .min(MODBUS_UNIT.min)
  .max(MODBUS_UNIT.max)
  .default(1)
  .describe("the board's unit address; 248-255 are reserved by Modbus but LCTech boards ship at 255");
