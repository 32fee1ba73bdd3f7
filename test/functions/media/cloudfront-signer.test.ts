import { generateKeyPairSync, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CloudFrontDownloadSigner } from "../../../functions/media/cloudfront-signer.js";

const { publicKey, privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const other = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

/** What CloudFront does with a canned-policy URL: rebuild the policy, check the RSA-SHA1 signature. */
function cloudFrontAccepts(
  signedUrl: string,
  publicKeyPem: string,
  now: Date,
): { valid: boolean; expires: number; keyPairId: string | null } {
  const url = new URL(signedUrl);
  const expires = Number(url.searchParams.get("Expires"));
  const signature = Buffer.from(
    (url.searchParams.get("Signature") ?? "").replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"),
    "base64",
  );
  const resource = `${url.origin}${url.pathname}`;
  const policy = JSON.stringify({
    Statement: [{ Resource: resource, Condition: { DateLessThan: { "AWS:EpochTime": expires } } }],
  });
  const valid = verify("RSA-SHA1", Buffer.from(policy), publicKeyPem, signature) && expires * 1000 > now.getTime();
  return { valid, expires, keyPairId: url.searchParams.get("Key-Pair-Id") };
}

describe("CloudFrontDownloadSigner", () => {
  const signer = new CloudFrontDownloadSigner({
    domain: "d111111abcdef8.cloudfront.net",
    keyPairId: "K2JCJMDEHXQW5F",
    privateKey: async () => privateKey,
  });
  const now = new Date("2026-11-22T10:00:00Z");
  const ttlSeconds = 300;
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);

  it("signs a URL that verifies against the public key of the key group and carries the configured expiry", async () => {
    const url = await signer.sign("media/0b7c/report.csv", expiresAt);
    expect(url.startsWith("https://d111111abcdef8.cloudfront.net/media/0b7c/report.csv?")).toBe(true);
    const check = cloudFrontAccepts(url, publicKey, now);
    expect(check.valid).toBe(true);
    expect(check.keyPairId).toBe("K2JCJMDEHXQW5F");
    expect(check.expires).toBe(now.getTime() / 1000 + ttlSeconds);
  });

  it("produces URLs that fail verification once tampered, expired or checked with another key", async () => {
    const url = await signer.sign("media/0b7c/report.csv", expiresAt);
    expect(cloudFrontAccepts(url.replace("report.csv", "other.csv"), publicKey, now).valid).toBe(false);
    expect(
      cloudFrontAccepts(url.replace(/Expires=\d+/, `Expires=${expiresAt.getTime() / 1000 + 3600}`), publicKey, now)
        .valid,
    ).toBe(false);
    expect(cloudFrontAccepts(url, other.publicKey, now).valid).toBe(false);
    expect(cloudFrontAccepts(url, publicKey, new Date(expiresAt.getTime() + 1000)).valid).toBe(false);
  });

  it("escapes each key segment so the signed resource is the path CloudFront sees", async () => {
    const url = await signer.sign("media/0b7c/a b#c.txt", expiresAt);
    expect(new URL(url).pathname).toBe("/media/0b7c/a%20b%23c.txt");
    expect(cloudFrontAccepts(url, publicKey, now).valid).toBe(true);
  });
});
