import { describe, expect, it } from "vitest";
import type * as z from "zod";
import { routes } from "../../../../functions/api/routes/index.js";
import { apiPaths } from "../../../../functions/contracts/api/paths.js";
import { apiRoutes } from "../../../../functions/contracts/api/routes.js";
import {
  MAX_CRON_LENGTH,
  MAX_TIMEZONE_LENGTH,
  dayMatchingValues,
  missedRunValues,
  overlapValues,
} from "../../../../functions/contracts/api/schedules.js";
import { taskStatusValues } from "../../../../functions/contracts/api/tasks.js";
import * as validate from "../../../../functions/scheduler/validate.js";
import { taskStatuses } from "../../../../functions/tasks/definition.js";

describe("the API contract", () => {
  it("is what the API serves: each contract route with its own schemas", () => {
    for (const [name, endpoint] of Object.entries(apiRoutes)) {
      const served = routes.find((r) => r.method === endpoint.method && r.path === endpoint.path);
      expect(served, name).toBeDefined();
      const contract = served!.contract;
      expect(contract.auth, name).toBe(endpoint.auth);
      for (const part of ["params", "query", "body"] as const) {
        expect(contract[part], `${name}.${part}`).toBe((endpoint as Record<string, unknown>)[part]);
      }
      expect(contract.responses, name).toBe(endpoint.responses);
    }
  });

  it("names each route once, with the method and path the client calls", () => {
    const lines = Object.values(apiPaths).map(({ method, path }) => `${method} ${path}`);
    expect(new Set(lines).size).toBe(lines.length);
    for (const [name, endpoint] of Object.entries(apiRoutes)) {
      expect(`${endpoint.method} ${endpoint.path}`).toBe(
        `${apiPaths[name as keyof typeof apiPaths].method} ${apiPaths[name as keyof typeof apiPaths].path}`,
      );
    }
  });

  it("declares what every served route answers on success", () => {
    const undeclared = routes.filter((r) => !r.contract.responses).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it("answers lists as { items, nextCursor }: every GET without a path parameter that lists", () => {
    const lists = Object.entries(apiRoutes).filter(([name]) => name.startsWith("list"));
    expect(lists.length).toBeGreaterThanOrEqual(8);
    for (const [name, endpoint] of lists) {
      const schema = (endpoint.responses as Record<number, z.ZodType>)[200]!;
      expect(schema.safeParse({ items: [], nextCursor: null }).success, name).toBe(true);
      expect(schema.safeParse({ [name]: [] }).success, name).toBe(false);
    }
  });

  it("keeps the domain's lists: task statuses and the scheduler's choices and limits", () => {
    expect(taskStatusValues).toEqual(taskStatuses);
    expect(dayMatchingValues).toEqual(validate.DAY_MATCHINGS);
    expect(missedRunValues).toEqual(validate.MISSED_RUNS);
    expect(overlapValues).toEqual(validate.OVERLAP_POLICIES);
    expect([MAX_CRON_LENGTH, MAX_TIMEZONE_LENGTH]).toEqual([validate.MAX_CRON_LENGTH, validate.MAX_TIMEZONE_LENGTH]);
  });
});
