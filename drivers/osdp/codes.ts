/**
 * OSDP's numbers, named: command and reply codes, NAK error codes, capability function codes,
 * security block types, LED colours and output control codes (OSDP v2.2, numbered as libosdp
 * numbers them).
 */

/** Commands, control panel → PD. */
export const CMD = {
  POLL: 0x60,
  ID: 0x61,
  CAP: 0x62,
  LSTAT: 0x64,
  OUT: 0x68,
  LED: 0x69,
  BUZ: 0x6a,
  TEXT: 0x6b,
  /** Deprecated (a character-array format request): recognised and ignored. */
  FMT: 0x6c,
  COMSET: 0x6e,
  KEYSET: 0x75,
  CHLNG: 0x76,
  SCRYPT: 0x77,
} as const;

/** Replies, PD → control panel. */
export const REPLY = {
  ACK: 0x40,
  NAK: 0x41,
  PDID: 0x45,
  PDCAP: 0x46,
  LSTATR: 0x48,
  RAW: 0x50,
  /** Deprecated card data as characters: recognised and ignored. */
  FMT: 0x51,
  KEYPAD: 0x53,
  COM: 0x54,
  CCRYPT: 0x76,
  RMAC_I: 0x78,
  BUSY: 0x79,
} as const;

/** What a NAK's first data byte says went wrong. */
export const NAK_NAMES = {
  0: "none",
  1: "check_character",
  2: "command_length",
  3: "unknown_command",
  4: "sequence_number",
  5: "security_unsupported",
  6: "security_conditions",
  7: "bio_type",
  8: "bio_format",
  9: "record",
} as const;

/** A NAK error code's name; codes past 9 are "unknown". */
export type NakName = (typeof NAK_NAMES)[keyof typeof NAK_NAMES] | "unknown";

/** Name of a NAK error code. */
export function nakName(code: number): NakName {
  return NAK_NAMES[code as keyof typeof NAK_NAMES] ?? "unknown";
}

/** PDCAP function codes: the capabilities the gateway reads, and the rest by their OSDP names. */
export const CAPABILITY = {
  CONTACT_STATUS: 1,
  OUTPUT_CONTROL: 2,
  /** Card data format (0: bits only, 1: bits or characters, 2: bits and characters). */
  CARD_DATA_FORMAT: 3,
  /** Reader LED control (compliance: 1 on/off only … 4 full colours and timing; items: LEDs per reader). */
  READER_LED: 4,
  /** Reader audible output (compliance 1: on/off, 2: timed). */
  READER_AUDIBLE: 5,
  /** Reader text output (compliance 0, or no record: no display). */
  READER_TEXT: 6,
  TIME_KEEPING: 7,
  /** Check character support (compliance 1: CRC-16, 0: checksum only). */
  CHECK_CHARACTER: 8,
  /** Communication security (compliance bit 0: AES-128; items bit 0: default key SCBK-D accepted). */
  COMMUNICATION_SECURITY: 9,
  /** Receive buffer size: compliance is the low byte, items the high byte. */
  RECEIVE_BUFFER_SIZE: 10,
  LARGEST_COMBINED_MESSAGE: 11,
  SMART_CARD: 12,
  /** Readers attached (items). */
  READERS: 13,
  BIOMETRICS: 14,
  /** Secure PIN entry (a keypad whose digits travel under the secure channel). */
  SECURE_PIN_ENTRY: 15,
  /** OSDP version (compliance 1: IEC 60839-11-5, 2: SIA OSDP 2.2). */
  OSDP_VERSION: 16,
} as const;

/** Security control block types: the handshake (11–14) and the messages under the channel (15–18). */
export const SCS = {
  /** CP → PD: osdp_CHLNG with RND.A. */
  CHLNG: 0x11,
  /** PD → CP: osdp_CCRYPT with the client id, RND.B and the client cryptogram. */
  CCRYPT: 0x12,
  /** CP → PD: osdp_SCRYPT with the server cryptogram. */
  SCRYPT: 0x13,
  /** PD → CP: osdp_RMAC_I with the initial R-MAC. */
  RMAC_I: 0x14,
  /** A command with a MAC, its data in clear (or none). */
  COMMAND_MAC: 0x15,
  /** A reply with a MAC, its data in clear (or none). */
  REPLY_MAC: 0x16,
  /** A command with a MAC and its data encrypted. */
  COMMAND_DATA: 0x17,
  /** A reply with a MAC and its data encrypted. */
  REPLY_DATA: 0x18,
} as const;

/** LED colours in LED commands. */
export const LED_COLOR = {
  BLACK: 0,
  RED: 1,
  GREEN: 2,
  AMBER: 3,
  BLUE: 4,
  MAGENTA: 5,
  CYAN: 6,
  WHITE: 7,
} as const;

/** OUT control codes. */
export const OUTPUT_CONTROL = {
  NOP: 0,
  PERMANENT_OFF_ABORT_TIMED: 1,
  PERMANENT_ON_ABORT_TIMED: 2,
  PERMANENT_OFF_AFTER_TIMED: 3,
  PERMANENT_ON_AFTER_TIMED: 4,
  TEMPORARY_ON: 5,
  TEMPORARY_OFF: 6,
} as const;

/** RAW card data formats. */
export const RAW_FORMAT = { UNSPECIFIED: 0, WIEGAND: 1 } as const;

/** KEYSET key types. */
export const KEY_TYPE = { SCBK: 1 } as const;
