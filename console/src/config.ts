/**
 * `/console/config.json`, written at deploy time next to the page: where the API is and how to sign in.
 * Locally: a pasted token (and a development sign-in when the front door offers one). In prod:
 * an OpenID Connect provider with PKCE, such as Cognito's hosted UI.
 */
export interface TokenSignIn {
  kind: "token";
  /** A local-only URL that answers `{ token }` for a development admin; absent in prod. */
  devSignInUrl?: string;
}
export interface OidcSignIn {
  kind: "oidc";
  /** Cognito: `https://<domain>/oauth2/authorize`. */
  authorizeUrl: string;
  /** Cognito: `https://<domain>/oauth2/token`. */
  tokenUrl: string;
  clientId: string;
  scopes: string[];
  /** Cognito: `https://<domain>/logout`; asked with client_id and logout_uri. */
  logoutUrl?: string;
}
export interface ConsoleConfig {
  /** Same origin by default: the front door routes `/api/*` to the API. */
  apiBaseUrl: string;
  signIn: TokenSignIn | OidcSignIn;
}

export const localConfig: ConsoleConfig = { apiBaseUrl: "/api", signIn: { kind: "token" } };

export function parseConfig(value: unknown): ConsoleConfig {
  const v = (value ?? {}) as Partial<ConsoleConfig>;
  const signIn = v.signIn;
  if (typeof v.apiBaseUrl !== "string") throw new Error("config.json: apiBaseUrl is missing");
  if (signIn?.kind === "token") return { apiBaseUrl: v.apiBaseUrl, signIn };
  if (
    signIn?.kind === "oidc" &&
    typeof signIn.authorizeUrl === "string" &&
    typeof signIn.tokenUrl === "string" &&
    typeof signIn.clientId === "string"
  )
    return { apiBaseUrl: v.apiBaseUrl, signIn: { ...signIn, scopes: signIn.scopes ?? ["openid"] } };
  throw new Error('config.json: signIn must be {"kind":"token"} or {"kind":"oidc", authorizeUrl, tokenUrl, clientId}');
}
