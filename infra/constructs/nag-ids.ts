import { Stack, Token } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * The stack's partition, account and region as cdk-nag spells them inside a finding id (e.g.
 * `Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:...`, or `arn:aws:states:
 * eu-west-1:123456789012:...` once the stack knows its environment). An acknowledgement id must be
 * a plain string: a stack synthesized without credentials has no account, and putting its token
 * into an id fails the synth (KeyMustResolveToString).
 */
export function nagEnv(scope: IConstruct): { partition: string; account: string; region: string } {
  const stack = Stack.of(scope);
  const spell = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return {
    partition: spell(stack.partition, "Partition"),
    account: spell(stack.account, "AccountId"),
    region: spell(stack.region, "Region"),
  };
}
