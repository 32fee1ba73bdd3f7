import { describe, expect, it } from "vitest";
import { deepMerge, loadConfig, parseConfig } from "../../../../functions/contracts/config/load.js";

describe("loadConfig", () => {
  it("fills every default for both stages", () => {
    for (const stage of ["local", "prod"]) {
      const config = loadConfig(stage);
      expect(config.stage).toBe(stage);
      expect(config.queues.default?.batchSize).toBe(1);
      expect(config.scheduler.expression).toBe("rate(1 minute)");
      expect(config.maintenance.timezone).toBe("UTC");
    }
  });

  it("merges overrides over the stage's values", () => {
    const config = loadConfig("prod", { queues: { default: { maxConcurrency: 3 } } });
    expect(config.queues.default?.maxConcurrency).toBe(3);
    expect(config.queues.default?.workerTimeoutSeconds).toBe(120);
    expect(config.queues.reports).toBeDefined();
  });

  it("names the offending field", () => {
    expect(() => loadConfig("prod", { queues: { default: { batchSize: 50 } } })).toThrow(/queues\.default\.batchSize/);
    expect(() => loadConfig("prod", { maintenance: { timezone: "Mars/Olympus" } })).toThrow(
      /maintenance\.timezone: not an IANA time zone/,
    );
    expect(() => loadConfig("prod", { maintenance: { dailyAt: "25:00" } })).toThrow(/maintenance\.dailyAt/);
  });

  it("refuses a visibility timeout under 6x the worker timeout", () => {
    expect(() =>
      loadConfig("local", { queues: { default: { workerTimeoutSeconds: 60, visibilityTimeoutSeconds: 300 } } }),
    ).toThrow(/queues\.default\.visibilityTimeoutSeconds: must be at least 6 x workerTimeoutSeconds/);
  });

  it("requires a default queue and a known stage", () => {
    expect(() => parseConfig({ stage: "prod", queues: { other: {} } })).toThrow(
      /queues: a queue named 'default' is required/,
    );
    expect(() => loadConfig("staging")).toThrow(/stage: expected "local" or "prod"/);
  });
});

describe("auth.maxTokenLifetimeSeconds", () => {
  it("defaults to a day in both stages and can be set", () => {
    for (const stage of ["local", "prod"]) expect(loadConfig(stage).auth.maxTokenLifetimeSeconds).toBe(86_400);
    expect(loadConfig("prod", { auth: { maxTokenLifetimeSeconds: 3600 } }).auth.maxTokenLifetimeSeconds).toBe(3600);
    expect(
      loadConfig("prod", { auth: { jwksUrl: "https://idp.example/jwks", issuer: "i", audience: "a" } }).auth
        .maxTokenLifetimeSeconds,
    ).toBe(86_400);
  });

  it("refuses a lifetime that is not a sensible whole number of seconds", () => {
    for (const value of [0, 59, 1.5, 8 * 86_400, "3600"]) {
      expect(() => loadConfig("prod", { auth: { maxTokenLifetimeSeconds: value as number } })).toThrow(
        /auth\.maxTokenLifetimeSeconds/,
      );
    }
  });
});

describe("deepMerge", () => {
  it("replaces arrays and scalars, merges objects", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } })).toEqual({ a: { b: 1, c: [3] }, d: 1 });
  });

  it("never lets a '__proto__' key from -c config JSON replace a prototype", () => {
    const merged = deepMerge(
      { a: { b: 1 } },
      JSON.parse('{"a":{"__proto__":{"polluted":true}},"__proto__":{"polluted":true}}'),
    );
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.getPrototypeOf((merged as { a: object }).a)).toBe(Object.prototype);
    expect((merged as Record<string, unknown>).polluted).toBeUndefined();
  });
});
