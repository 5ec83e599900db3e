import { describe, expect, it } from "vitest";
import { redactUrl } from "../../drivers/mqtt/clientOptions.js";
import { topicFilterProblem, topicMatches, topicNameProblem, topicSafe } from "../../drivers/mqtt/topics.js";

describe("topicMatches", () => {
  it.each([
    ["tele/door/SENSOR", "tele/door/SENSOR", true],
    ["tele/door/SENSOR", "tele/door/STATE", false],
    ["tele/+/SENSOR", "tele/door/SENSOR", true],
    ["tele/+/SENSOR", "tele/door/x/SENSOR", false],
    ["stat/door/+", "stat/door/POWER1", true],
    ["stat/door/+", "stat/door", false],
    ["stat/door/+", "stat/door/", true],
    ["shellies/s1/relay/+", "shellies/s1/relay/0/command", false],
    ["a/#", "a", true],
    ["a/#", "a/b/c", true],
    ["a/#", "ab/c", false],
    ["#", "anything/at/all", true],
    ["+/+", "a/b", true],
    ["+/+", "a", false],
    ["+", "/", false],
    ["+/+", "/x", true],
    ["#", "$SYS/broker/uptime", false],
    ["+/broker/uptime", "$SYS/broker/uptime", false],
    ["$SYS/#", "$SYS/broker/uptime", true],
    ["a/b", "a/b/c", false],
    ["a/b/c", "a/b", false],
  ])("%s against %s gives %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe("topicFilterProblem", () => {
  it.each(["a/b", "a/+/c", "#", "a/#", "+", "+/+/#"])("accepts %s", (filter) => {
    expect(topicFilterProblem(filter)).toBeUndefined();
  });

  it.each(["", "a/#/c", "a#", "a/b+", "+a/b", "a\u0000b"])("rejects %j with a reason", (filter) => {
    expect(topicFilterProblem(filter)).toMatch(/expected|must/);
  });
});

describe("topicNameProblem", () => {
  it("accepts a plain topic and rejects empty, wildcard and NUL topics", () => {
    expect(topicNameProblem("cmnd/door/POWER1")).toBeUndefined();
    expect(topicNameProblem("")).toContain("empty");
    expect(topicNameProblem("cmnd/+/POWER1")).toContain("wildcards");
    expect(topicNameProblem("cmnd/#")).toContain("wildcards");
    expect(topicNameProblem("a\u0000")).toContain("NUL");
  });
});

describe("topicSafe", () => {
  it("keeps ids as they are and replaces topic-breaking characters", () => {
    expect(topicSafe("gw-rome-1")).toBe("gw-rome-1");
    expect(topicSafe("gw/rome+1#")).toBe("gw-rome-1");
    expect(topicSafe("gw rome")).toBe("gw-rome");
    expect(topicSafe("///")).toBe("accessgw");
    expect(topicSafe("", "fallback")).toBe("fallback");
  });
});

describe("redactUrl", () => {
  it("masks a password in the URL and leaves everything else alone", () => {
    expect(redactUrl("mqtts://gw:s3cr3t@broker.lan:8883")).toBe("mqtts://gw:***@broker.lan:8883");
    expect(redactUrl("mqtt://gw@broker.lan")).toBe("mqtt://gw@broker.lan");
    expect(redactUrl("ws://broker.lan:9001/mqtt")).toBe("ws://broker.lan:9001/mqtt");
  });
});
