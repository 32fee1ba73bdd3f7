/**
 * File names as users send them are display text, never paths: a browser may send
 * `C:\Users\me\photo.png`, an attacker `../../../etc/passwd`, `report\u202Etxt.exe` (a right-to-left
 * override that makes it read "report.exe.txt"), or a name with control characters that break
 * headers and logs. `cleanFilename` turns any of them into a name that is safe to store, show and
 * put in a Content-Disposition header; the object key is derived from the cleaned name and the
 * media id (media-object.ts), so the raw name never reaches a path.
 */

/** What a cleaned name may take in UTF-8 bytes: the usual file-system limit, so a download can be saved as is. */
export const MAX_FILENAME_BYTES = 255;

/** A name that cleans down to nothing (`..`, `/`, only control characters) is stored as this. */
export const FALLBACK_FILENAME = "file";

// Control characters (C0, DEL, C1), invisible formatting (bidi overrides and isolates, zero-width
// characters, BOM), line/paragraph separators, lone surrogates, private-use and unassigned code points.
const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/gu;
// Characters Windows refuses in names; quotes and "<>" also keep the name inert inside headers and HTML.
const reserved = /[<>:"|?*]/g;
// Windows device names open a device instead of a file, whatever the extension.
const deviceName = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

/** A safe display and storage name for a raw, user-supplied file name. Cleaning a clean name changes nothing. */
export function cleanFilename(raw: string): string {
  // NFKC folds look-alikes such as the full-width solidus "／" and "．" into "/" and ".".
  const text = raw.normalize("NFKC").replace(invisible, "");
  // The last path segment only: a name never climbs folders, whichever separator it uses.
  const base = text.split(/[/\\]/).pop() ?? "";
  const name = base
    .replace(reserved, "_")
    .replace(/\s+/g, " ")
    // Leading dots hide files (".htaccess") and ".." means the parent; trailing dots and spaces vanish on Windows.
    .replace(/^[\s.]+|[\s.]+$/g, "");
  if (name === "") return FALLBACK_FILENAME;
  return truncate(deviceName.test(name) ? `_${name}` : name);
}

/** Shortens the stem, keeping a short extension, until the name fits MAX_FILENAME_BYTES. */
function truncate(name: string): string {
  if (utf8Length(name) <= MAX_FILENAME_BYTES) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  const stem = [...name.slice(0, name.length - extension.length)];
  while (stem.length > 0 && utf8Length(stem.join("") + extension) > MAX_FILENAME_BYTES) stem.pop();
  return (stem.join("").replace(/[\s.]+$/, "") || FALLBACK_FILENAME) + extension;
}

const utf8Length = (text: string): number => new TextEncoder().encode(text).byteLength;

/**
 * `attachment` with the name twice (RFC 6266): `filename="…"` as an ASCII fallback for old
 * clients, `filename*=UTF-8''…` percent-encoded (RFC 5987) for everyone else. The result is pure
 * ASCII with no quote or backslash inside the quoted part, so no name can end the header early.
 * Stored on the object itself, so CloudFront and S3 downloads both carry it.
 */
export function contentDisposition(filename: string): string {
  const name = cleanFilename(filename);
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** Percent-encodes all but RFC 5987's attr-char set (encodeURIComponent leaves ' ( ) * alone). */
function encodeRfc5987(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
