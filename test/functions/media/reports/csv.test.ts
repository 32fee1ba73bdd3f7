import { describe, expect, it } from "vitest";
import { toCsv } from "../../../../functions/media/reports/csv.js";

describe("toCsv", () => {
  it("quotes what needs quoting, leaves empty cells for null and ends lines in CRLF", () => {
    expect(
      toCsv(
        ["name", "count", "note"],
        [
          ["send_email", 3, null],
          ['say "hi", then', 0, "line\nbreak"],
        ],
      ),
    ).toBe('name,count,note\r\nsend_email,3,\r\n"say ""hi"", then",0,"line\nbreak"\r\n');
  });

  it("defuses spreadsheet formulas in text cells but keeps negative numbers", () => {
    expect(toCsv(["a", "b"], [["=HYPERLINK(1)", -5]])).toBe("a,b\r\n'=HYPERLINK(1),-5\r\n");
  });
});
