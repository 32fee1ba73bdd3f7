import { describe, expect, it } from "vitest";
import { describeProblem } from "../../console/src/problem.js";

describe("API problems as the console shows them", () => {
  it("puts the title and each refused field on one line, without the detail that repeats them", () => {
    const problem = {
      type: "urn:groundcrew:problem:validation",
      title: "Invalid request",
      status: 400,
      detail: "body.cron: a cron has exactly five fields",
      errors: [{ path: "body.cron", message: "a cron has exactly five fields" }],
    };
    expect(describeProblem(problem)).toBe("Invalid request; body.cron: a cron has exactly five fields");
  });

  it("shows the detail when no field is named, and the title alone when there is nothing more", () => {
    expect(describeProblem({ type: "about:blank", title: "Conflict", status: 409, detail: "Already running" })).toBe(
      "Conflict: Already running",
    );
    expect(describeProblem({ type: "about:blank", title: "Not Found", status: 404 })).toBe("Not Found");
    expect(describeProblem({ type: "about:blank", title: "Forbidden", status: 403, detail: "Forbidden" })).toBe(
      "Forbidden",
    );
  });
});
