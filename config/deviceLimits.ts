/**
 * What the supported devices can take, defined once: the gateway configuration's schema and
 * checks use it, and so do the drivers' own checks. Imports nothing, so every layer may use it.
 */

/** How a reader's raw reads become the card numbers the site knows (`cardNumber`). */
export const CARD_NUMBER_MODES = ["as-is", "decimal", "hex", "wiegand-fc-cn", "em4100"] as const;

/** One of {@link CARD_NUMBER_MODES}. */
export type CardNumberMode = (typeof CARD_NUMBER_MODES)[number];

/** The Wiegand formats the decoders know (drivers/codecs/wiegand.ts), named as on the HID sheets. */
export const WIEGAND_FORMAT_NAMES = ["H10301", "H10306", "C1k35", "C1k48", "H10304", "H10302"] as const;

/** One of {@link WIEGAND_FORMAT_NAMES}. */
export type WiegandFormatName = (typeof WIEGAND_FORMAT_NAMES)[number];

/** The channels one kind of relay device has, and what its number means. */
export interface ChannelRange {
  what: string;
  min: number;
  max: number;
}

/**
 * What `channel` means for each relay driver and its range. Gen1 relays are numbered from 1 like
 * LCUS and Tasmota (channel 1 is the device's relay/0); Modbus coils and Gen2 switch ids keep the
 * device's own 0-based numbers, so the config matches what the device's documentation says.
 */
export const RELAY_CHANNELS = {
  "lcus-serial": { what: "relay number", min: 1, max: 255 },
  "mqtt-tasmota": { what: "POWER number", min: 1, max: 32 },
  "mqtt-shelly-gen1": { what: "relay number, 1 = relay/0", min: 1, max: 255 },
  "modbus-rtu": { what: "coil address", min: 0, max: 65535 },
  "mqtt-shelly-gen2": { what: "switch id", min: 0, max: 65535 },
  // OSDP's OUT command numbers a PD's outputs from 0 in one byte.
  "osdp-output": { what: "the PD's output number", min: 0, max: 255 },
} as const satisfies Record<string, ChannelRange>;

/** Whether `channel` is a whole number within `range`. */
export function inChannelRange(range: ChannelRange, channel: number): boolean {
  return Number.isInteger(channel) && channel >= range.min && channel <= range.max;
}

/**
 * Modbus RTU unit addresses a relay may have. The Modbus spec reserves 248–255, but LCTech relay
 * boards ship at 255, so those are accepted (with a `check` warning); 0 is the broadcast address,
 * which no board answers.
 */
export const MODBUS_UNIT = { min: 1, max: 255, reservedFrom: 248 } as const;
