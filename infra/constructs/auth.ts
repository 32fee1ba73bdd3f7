import { Aws, CfnOutput, Fn, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import {
  CfnUserPoolGroup,
  Mfa,
  UserPool,
  UserPoolDomain,
  type CfnUserPoolClient,
  type UserPoolClient,
} from "aws-cdk-lib/aws-cognito";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { authVariables, type VariablesOf } from "../../functions/contracts/environment.js";
import { setVariables } from "../environment.js";

export interface AuthProps {
  readonly config: Config;
}

/** How the console signs in through Cognito's hosted UI (authorization code with PKCE); values may be tokens. */
export interface HostedSignIn {
  kind: "oidc";
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  scopes: string[];
  logoutUrl: string;
}

/** What the console asks Cognito for: the ID token (whose audience the API checks) with the user's email. */
export const CONSOLE_SCOPES = ["openid", "email", "profile"];

/**
 * Who may call the API. Prod verifies JWTs against a JWKS: a configured identity provider, or
 * else a Cognito user pool created here (its "admin" group is the admin role). The local stage
 * signs its own tokens with a secret kept in Secrets Manager (`npm run token`).
 */
export class Auth extends Construct {
  public readonly signingSecret?: Secret;
  public readonly userPool?: UserPool;
  public readonly userPoolClient?: UserPoolClient;
  private readonly env: VariablesOf<typeof authVariables>;
  private readonly config: Config;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    if (config.auth.jwksUrl) {
      this.env = {
        AUTH_JWKS_URL: config.auth.jwksUrl,
        AUTH_ISSUER: config.auth.issuer as string,
        AUTH_AUDIENCE: config.auth.audience as string,
        AUTH_ROLES_CLAIM: config.auth.rolesClaim ?? "roles",
      };
      return;
    }
    if (config.stage === "local") {
      this.signingSecret = new Secret(this, "SigningSecret", {
        description: "HS256 key for local API tokens (npm run token)",
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.env = {
        AUTH_SECRET_ARN: this.signingSecret.secretArn,
        AUTH_ISSUER: config.auth.issuer ?? `${config.app}-local`,
        AUTH_AUDIENCE: config.auth.audience ?? `${config.app}-api`,
        AUTH_ROLES_CLAIM: config.auth.rolesClaim ?? "roles",
      };
      new CfnOutput(this, "AuthSecretArn", { key: "AuthSecretArn", value: this.signingSecret.secretArn });
      new CfnOutput(this, "AuthIssuer", { key: "AuthIssuer", value: this.env.AUTH_ISSUER });
      new CfnOutput(this, "AuthAudience", { key: "AuthAudience", value: this.env.AUTH_AUDIENCE });
      return;
    }
    this.userPool = new UserPool(this, "UserPool", {
      userPoolName: `${config.app}-${config.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireSymbols: true,
        requireDigits: true,
        requireUppercase: true,
        requireLowercase: true,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: "AwsSolutions-COG8",
        reason:
          "The Plus feature plan (threat protection) is a per-user cost decision left to the operator; the pool works on Essentials.",
      },
      {
        id: "AwsSolutions-COG2",
        reason:
          "TOTP MFA is offered to every user (Mfa.OPTIONAL); making it mandatory is the operator's policy choice.",
      },
    );
    // No OAuth until a console is given a callback (hostedSignIn): CDK's default would allow the implicit flow to example.com.
    this.userPoolClient = this.userPool.addClient("ApiClient", {
      authFlows: { userSrp: true },
      generateSecret: false,
      disableOAuth: true,
    });
    new CfnUserPoolGroup(this, "AdminGroup", {
      userPoolId: this.userPool.userPoolId,
      groupName: "admin",
      description: "Operational endpoints",
    });
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    // Cognito ID tokens carry the client id as audience and the groups in cognito:groups.
    this.env = {
      AUTH_JWKS_URL: `${issuer}/.well-known/jwks.json`,
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: this.userPoolClient.userPoolClientId,
      AUTH_ROLES_CLAIM: config.auth.rolesClaim ?? "cognito:groups",
    };
    new CfnOutput(this, "UserPoolId", { key: "UserPoolId", value: this.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { key: "UserPoolClientId", value: this.userPoolClient.userPoolClientId });
  }

  /**
   * Opens Cognito's hosted UI to the console at `callbackUrl` (e.g. `https://<front door>/console/`):
   * a Cognito domain for the pool, and the authorization code flow (the console adds PKCE) on the
   * API's app client, so the ID token's audience is the one the API already checks. Undefined when
   * tokens come from a configured provider (auth.jwksUrl) or the local stage: no pool here.
   */
  hostedSignIn(callbackUrl: string): HostedSignIn | undefined {
    if (!this.userPool || !this.userPoolClient) return undefined;
    const domain = new UserPoolDomain(this, "HostedUi", {
      userPool: this.userPool,
      // Globally unique per region, known only at deploy: the account id keeps two accounts' stacks apart.
      cognitoDomain: { domainPrefix: Fn.join("-", [this.domainPrefix(), Aws.ACCOUNT_ID]) },
    });
    const client = this.userPoolClient.node.defaultChild as CfnUserPoolClient;
    client.allowedOAuthFlowsUserPoolClient = true;
    client.allowedOAuthFlows = ["code"];
    client.allowedOAuthScopes = CONSOLE_SCOPES;
    client.supportedIdentityProviders = ["COGNITO"];
    client.callbackUrLs = [callbackUrl];
    client.logoutUrLs = [callbackUrl];
    const base = domain.baseUrl();
    new CfnOutput(this, "HostedUiUrl", { key: "HostedUiUrl", value: base });
    return {
      kind: "oidc",
      authorizeUrl: `${base}/oauth2/authorize`,
      tokenUrl: `${base}/oauth2/token`,
      clientId: this.userPoolClient.userPoolClientId,
      scopes: CONSOLE_SCOPES,
      logoutUrl: `${base}/logout`,
    };
  }

  /** `groundcrew-prod`, in the letters Cognito takes, short enough that the account id still fits its 63. */
  private domainPrefix(): string {
    return `${this.config.app}-${this.config.stage}`
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .replace(/aws|amazon|cognito/g, "x")
      .slice(0, 40);
  }

  /** Lets a function verify tokens: sets the variables verifierFromEnv reads and grants what it needs. */
  bind(fn: LambdaFunction): void {
    setVariables(fn, authVariables, this.env);
    this.signingSecret?.grantRead(fn);
  }
}
