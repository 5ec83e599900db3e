/**
 * The logger every driver, reader, relay, transport and the MQTT connection is handed: the subset
 * of a pino logger they use, object first and message second. It is always required, never
 * defaulted to a silent one: that is how an MQTT relay's warnings once got lost.
 */
export interface DriverLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
