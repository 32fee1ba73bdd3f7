import { describe, expect, it } from "vitest";
import { localToken } from "../../localstack/token.js";
import { outputs } from "./outputs.js";

/** The local front door (localstack/front-door.ts) in front of the deployed stack: one origin for the browser. */
function frontDoorUrl(): string {
  const url = outputs().frontDoorUrl;
  if (!url) throw new Error("The outputs name no frontDoorUrl: local:up did not start the front door (see its log)");
  return url;
}

describe("the local front door on the deployed stack", () => {
  it("answers /api/health as the API answers /health", async () => {
    const [direct, through] = await Promise.all([
      fetch(`${outputs().apiUrl}/health`),
      fetch(`${frontDoorUrl()}/api/health`),
    ]);
    expect(through.status).toBe(direct.status);
    expect(through.headers.get("content-type")).toBe(direct.headers.get("content-type"));
    expect(await through.json()).toEqual(await direct.json());
  });

  it("passes the caller's token through: 401 without it, 200 with it", async () => {
    const token = await localToken({ sub: "front-door-user" }, outputs());
    const anonymous = await fetch(`${frontDoorUrl()}/api/tasks?limit=1`);
    expect(anonymous.status).toBe(401);
    const signedIn = await fetch(`${frontDoorUrl()}/api/tasks?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(signedIn.status).toBe(200);
  });

  it("serves the static site at / from the emulator's bucket", async () => {
    const page = await fetch(`${frontDoorUrl()}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<h1>Groundcrew</h1>");
  });
});
