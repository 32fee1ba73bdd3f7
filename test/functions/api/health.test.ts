import { describe, expect, it } from "vitest";
import { checkHealth } from "../../../functions/api/routes/health.js";
import type { Database } from "../../../functions/core/db/database.js";
import { DatabaseUnavailableError } from "../../../functions/core/db/unavailable.js";

const fakeDb = (query: () => Promise<unknown>) => ({ query }) as unknown as Database;

describe("checkHealth", () => {
  it("reports ok when SELECT 1 answers", async () => {
    expect(
      await checkHealth(
        fakeDb(async () => ({ rows: [{ "?column?": 1 }] })),
        "1.2.3",
      ),
    ).toEqual({ status: "ok", db: "ok", version: "1.2.3" });
  });

  it("reports the database unavailable instead of failing", async () => {
    expect(
      await checkHealth(
        fakeDb(async () => {
          throw new DatabaseUnavailableError();
        }),
        "v",
      ),
    ).toEqual({
      status: "degraded",
      db: "unavailable",
      version: "v",
    });
  });

  it("does not hide programming errors", async () => {
    await expect(
      checkHealth(
        fakeDb(async () => {
          throw new TypeError("bug");
        }),
        "v",
      ),
    ).rejects.toThrow("bug");
  });
});
