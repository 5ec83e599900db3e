/**
 * Inputs (doors.md D1): digital signals read from devices — a turnstile's PASS output, a door
 * contact, a REX button, a fire panel's release contact. Each is a driver with its own fields;
 * every input has `activeLow` and `debounceMs`. Doors name inputs by id.
 */
import { z } from "zod";
import { BaudRate, byDriver, FieldPath, ModbusUnit, SerialPort, Topic } from "./fields.js";
import { Id } from "./site.js";

/** What every input declares, whatever its driver. */
const inputCommon = {
  id: Id,
  /** D1: the wire reads the other way round (a normally-closed contact): active ⇄ inactive. */
  activeLow: z.boolean().default(false).describe("invert the level (normally-closed contacts)"),
  /** D1: a new level counts only once it has held this long (contact bounce, a hand on a beam). */
  debounceMs: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(50)
    .describe("ms a new level must hold before it counts"),
};

/** The payload values an mqtt-json input reads as active unless it says otherwise. */
export const DEFAULT_ACTIVE_VALUES = [1, true, "1", "ON", "on", "open"] as const;

/** A JSON value that can mean "active" in an mqtt-json payload. */
const ActiveValue = z.union([z.number(), z.boolean(), z.string()]);

/** The Modbus functions an input reads: discrete inputs (FC02) or coils read back (FC01). */
export const MODBUS_INPUT_FUNCTIONS = ["discrete-inputs", "coils"] as const;

export const INPUT_DRIVERS = [
  "mqtt-json",
  "mqtt-tasmota",
  "mqtt-shelly-gen2",
  "mqtt-shelly-gen1",
  "modbus-rtu",
] as const;

/** An input as the gateway configuration declares it; `driver` says which fields follow. */
export const Input = byDriver(
  [
    /** Any device publishing JSON on `topic`; the level is at `field`, active when it is one of `active`. */
    z.strictObject({
      ...inputCommon,
      driver: z.literal("mqtt-json"),
      topic: Topic,
      field: FieldPath,
      active: z
        .array(ActiveValue)
        .min(1)
        .default([...DEFAULT_ACTIVE_VALUES])
        .describe("the payload values that mean active; anything else of the same kinds is inactive"),
    }),
    /** A Tasmota switch input (SwitchMode); reported on stat/<topic>/RESULT and tele/<topic>/SENSOR. */
    z.strictObject({
      ...inputCommon,
      driver: z.literal("mqtt-tasmota"),
      topic: Topic,
      switch: z.number().int().min(1).max(28).describe("the Tasmota switch number (Switch1…Switch28)"),
      /** Tasmota's `SwitchText<n>`: the JSON key the device reports this switch under instead of Switch<n>. */
      switchText: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,32}$/, { error: "expected one word of letters, digits, _ or -" })
        .optional()
        .describe("the device's SwitchText<n>, when set: the JSON key it reports the switch under"),
    }),
    /** A Shelly Gen2+ input component `input:<input>` on `<device>/events/rpc`. */
    z.strictObject({
      ...inputCommon,
      driver: z.literal("mqtt-shelly-gen2"),
      device: Topic,
      input: z.number().int().min(0).max(99).describe("the input component id (input:N)"),
    }),
    /** A Shelly Gen1 input: `shellies/<device>/input/<input>` with 0 or 1. */
    z.strictObject({
      ...inputCommon,
      driver: z.literal("mqtt-shelly-gen1"),
      device: Topic,
      input: z.number().int().min(0).max(15).describe("the input number (shellies/<device>/input/N)"),
    }),
    /** A Modbus RTU input, polled; may share its port with a modbus-rtu relay board (one bus). */
    z.strictObject({
      ...inputCommon,
      driver: z.literal("modbus-rtu"),
      port: SerialPort,
      baudRate: BaudRate,
      unitId: ModbusUnit,
      address: z.number().int().min(0).max(65535).describe("the discrete input (or coil) address, 0-based"),
      function: z
        .enum(MODBUS_INPUT_FUNCTIONS)
        .default("discrete-inputs")
        .describe("discrete-inputs (FC02) or coils (FC01, read back)"),
      pollMs: z.number().int().min(10).max(60_000).default(50).describe("ms between two reads"),
    }),
  ],
  INPUT_DRIVERS,
);
export type Input = z.infer<typeof Input>;
