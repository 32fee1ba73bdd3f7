import { claimsOf, isExpired } from "./claims.js";
import type { OidcSignIn } from "./config.js";
import { authorizeUrl, codeChallenge, randomVerifier, tokenRequest } from "./pkce.js";

/**
 * The signed-in operator's token. It lives in sessionStorage: gone when the tab closes, never sent
 * anywhere but the API's Authorization header.
 */
const TOKEN = "groundcrew.console.token";
const PENDING = "groundcrew.console.pkce";

export function currentToken(): string | undefined {
  const token = sessionStorage.getItem(TOKEN) ?? undefined;
  if (token && isExpired(claimsOf(token))) {
    sessionStorage.removeItem(TOKEN);
    return undefined;
  }
  return token;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN, token.trim());
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN);
}

/** Where the provider sends the operator back: this page, without query or hash. */
function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Sends the browser to the provider's sign-in page; the verifier waits in sessionStorage. */
export async function beginOidcSignIn(config: OidcSignIn): Promise<void> {
  const verifier = randomVerifier();
  const state = randomVerifier(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  location.assign(
    authorizeUrl(config, { redirectUri: redirectUri(), state, challenge: await codeChallenge(verifier) }),
  );
}

/**
 * On the way back from the provider (`?code=…&state=…`): checks the state, exchanges the code and
 * keeps the ID token (Cognito's access token carries no audience, which the API checks).
 * Returns false when this page load is not such a return.
 */
export async function completeOidcSignIn(config: OidcSignIn): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", `${location.pathname}#/overview`);
  if (!pending || pending.state !== params.get("state"))
    throw new Error("The sign-in answer does not match this browser's request");
  const response = await fetch(config.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: tokenRequest(config, { code, redirectUri: redirectUri(), verifier: pending.verifier }),
  });
  if (!response.ok) throw new Error(`The identity provider refused the sign-in (HTTP ${response.status})`);
  const tokens = (await response.json()) as { id_token?: string };
  if (!tokens.id_token) throw new Error("The identity provider sent no ID token");
  saveToken(tokens.id_token);
  return true;
}
