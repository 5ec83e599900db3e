/**
 * OSDP's two integrity checks, chosen per packet by the control byte's CRC flag: CRC-16/AUG-CCITT
 * (polynomial 0x1021, initial value 0x1D0F, not reflected; sent low byte first) and the older
 * one-byte checksum (the two's complement of the sum of every byte before it).
 */

/** CRC-16/AUG-CCITT over `bytes` (OSDP's packet CRC); on the wire the low byte goes first. */
export function crc16Osdp(bytes: Uint8Array): number {
  let crc = 0x1d0f;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** OSDP's checksum: the byte that makes the sum of `bytes` and itself 0 modulo 256. */
export function checksumOsdp(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum += byte;
  return -sum & 0xff;
}
