/**
 * A request's JSON body for the actions that take one (the editor's draft): the value, or a 400
 * answer naming what is wrong (not JSON, or not parseable, with the parser's words).
 */
import { jsonResponse, type WebRequest, type WebResponse } from "./webTypes.js";

/** The parsed body, or the 400 to answer with. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; response: WebResponse };

/** Parses the body of a request sent as application/json. */
export function jsonBody(req: WebRequest): JsonBody {
  const type = req.headers["content-type"] ?? "";
  if (!type.startsWith("application/json"))
    return bad(`expected a JSON body (Content-Type: application/json), found "${type || "none"}"`);
  try {
    return { ok: true, value: JSON.parse(req.body.toString("utf8")) };
  } catch (err) {
    return bad(`the body is not valid JSON: ${(err as Error).message}`);
  }
}

function bad(message: string): JsonBody {
  return { ok: false, response: jsonResponse({ error: message }, 400) };
}
