import { afterEach, describe, expect, it } from "vitest";
import { dataApiUrl } from "../../localstack/env.js";
import { api } from "./outputs.js";

async function setDatabaseAvailable(available: boolean): Promise<void> {
  const response = await fetch(`${dataApiUrl}/_admin/availability`, {
    method: "POST",
    body: JSON.stringify({ available }),
  });
  expect(response.ok).toBe(true);
}

describe("GET /health on the deployed local stack", () => {
  afterEach(() => setDatabaseAvailable(true));

  it("answers 200 with the database checked through the Data API", async () => {
    const { status, body } = await api("/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", db: "ok" });
    expect(typeof body.version).toBe("string");
  });

  it("answers 503 with db unavailable while the database is down, and recovers", async () => {
    await setDatabaseAvailable(false);
    const down = await api("/health");
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ db: "unavailable" });
    await setDatabaseAvailable(true);
    const up = await api("/health");
    expect(up.status).toBe(200);
  });

  it("answers 404 with a readable reason for an unknown route", async () => {
    const { status, body } = await api("/nope");
    expect(status).toBe(404);
    expect(body.detail).toMatch(/No route for GET \/nope/);
  });
});
