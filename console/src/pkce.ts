import type { OidcSignIn } from "./config.js";

/**
 * OAuth 2.0 authorization code flow with PKCE (RFC 7636) for a public client: the page holds no
 * secret; the verifier it keeps for the one round trip proves the code was asked for by it.
 */

function base64Url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** 32 random bytes → 43 characters, the shortest verifier RFC 7636 allows. */
export function randomVerifier(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** S256: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function authorizeUrl(
  config: OidcSignIn,
  request: { redirectUri: string; state: string; challenge: string },
): string {
  const url = new URL(config.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: request.redirectUri,
    scope: config.scopes.join(" "),
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

/** The form posted to the token endpoint to exchange the code. */
export function tokenRequest(
  config: OidcSignIn,
  answer: { code: string; redirectUri: string; verifier: string },
): URLSearchParams {
  return new URLSearchParams({
    grant_type: "authorization_code",
    client_id: config.clientId,
    code: answer.code,
    redirect_uri: answer.redirectUri,
    code_verifier: answer.verifier,
  });
}
