import { describe, expect, it } from "vitest";
import {
  cleanFilename,
  contentDisposition,
  FALLBACK_FILENAME,
  MAX_FILENAME_BYTES,
} from "../../../functions/media/filename.js";
import { objectKeyFor } from "../../../functions/media/media-object.js";

const utf8Length = (text: string) => new TextEncoder().encode(text).byteLength;

describe("cleanFilename", () => {
  it.each([
    ["../../../etc/passwd", "passwd"],
    ["..\\..\\windows\\system32\\drivers\\etc\\hosts", "hosts"],
    ["C:\\Users\\me\\photo.png", "photo.png"],
    ["/absolute/path.txt", "path.txt"],
    ["..", FALLBACK_FILENAME],
    ["../..", FALLBACK_FILENAME],
    ["/", FALLBACK_FILENAME],
    [".htaccess", "htaccess"],
    ["...hidden", "hidden"],
    ["trailing. . .", "trailing"],
    ["a\u0000b.txt", "ab.txt"],
    ["tab\tand\nnewline\r.txt", "tabandnewline.txt"],
    ["bell\u0007\u007f\u0085.txt", "bell.txt"],
    ["invoice\u202Efdp.exe", "invoicefdp.exe"],
    ["\u2066isolated\u2069\u200B\uFEFF.txt", "isolated.txt"],
    ["line\u2028sep.txt", "linesep.txt"],
    ["lone\ud800surrogate.txt", "lonesurrogate.txt"],
    ["full\uFF0Fwidth\uFF0E\uFF0E\uFF0Fslash.txt", "slash.txt"],
    ['quote"and<angle>|pipe?.txt', "quote_and_angle__pipe_.txt"],
    ["  spaced   out  .txt  ", "spaced out .txt"],
    ["CON", "_CON"],
    ["nul.txt", "_nul.txt"],
    ["console.log", "console.log"],
    ["résumé 2026.pdf", "résumé 2026.pdf"],
    ["日本語のファイル.txt", "日本語のファイル.txt"],
    ["\u0000\u0001\u202E", FALLBACK_FILENAME],
  ])("%j → %j", (raw, clean) => {
    expect(cleanFilename(raw)).toBe(clean);
  });

  it("shortens long names to the byte limit, keeping the extension and whole characters", () => {
    const ascii = cleanFilename(`${"a".repeat(1000)}.pdf`);
    expect(utf8Length(ascii)).toBe(MAX_FILENAME_BYTES);
    expect(ascii.endsWith("a.pdf")).toBe(true);
    const wide = cleanFilename(`${"日".repeat(400)}.txt`);
    expect(utf8Length(wide)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(wide).toMatch(/^日+\.txt$/);
    const noExtension = cleanFilename("x".repeat(300));
    expect(noExtension).toBe("x".repeat(MAX_FILENAME_BYTES));
  });

  it("is idempotent, and what it returns never contains a separator, control character or leading dot", () => {
    const raws = [
      "../../../etc/passwd",
      "a\u0000b",
      "\u202Eevil",
      `${"é".repeat(300)}.txt`,
      ". .",
      "x/../y",
      "CON.txt",
      "a\\b",
    ];
    for (const raw of raws) {
      const clean = cleanFilename(raw);
      expect(cleanFilename(clean)).toBe(clean);
      expect(clean).not.toMatch(/[/\\\p{Cc}\p{Cf}]|^\.|\.\.$/u);
    }
  });

  it("gives object keys that stay under the item's own folder", () => {
    expect(objectKeyFor("abc", cleanFilename("../../../etc/passwd"))).toBe("media/abc/passwd");
    expect(objectKeyFor("abc", cleanFilename("..\\.."))).toBe("media/abc/file");
    expect(objectKeyFor("abc", cleanFilename("日本.txt"))).toBe("media/abc/_.txt");
  });
});

describe("contentDisposition", () => {
  it("quotes a plain ASCII name and repeats it in RFC 5987 form", () => {
    expect(contentDisposition("report.csv")).toBe(`attachment; filename="report.csv"; filename*=UTF-8''report.csv`);
  });

  it("replaces non-ASCII in the fallback and percent-encodes it in filename*", () => {
    expect(contentDisposition("résumé (1).pdf")).toBe(
      `attachment; filename="r_sum_ (1).pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.pdf`,
    );
  });

  it("keeps percent signs out of the fallback, where some clients would decode them", () => {
    expect(contentDisposition("100%25.txt")).toBe(`attachment; filename="100_25.txt"; filename*=UTF-8''100%2525.txt`);
  });

  it("never lets a name end the quoted string or add a header", () => {
    const header = contentDisposition("a\"; filename*=UTF-8''evil.exe\r\nSet-Cookie: x=1");
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[A-Za-z0-9%!#$&+\-.^_`|~]*$/);
    expect(header).toBe(
      `attachment; filename="a_; filename_=UTF-8''evil.exeSet-Cookie_ x=1"; filename*=UTF-8''a_%3B%20filename_%3DUTF-8%27%27evil.exeSet-Cookie_%20x%3D1`,
    );
  });
});
