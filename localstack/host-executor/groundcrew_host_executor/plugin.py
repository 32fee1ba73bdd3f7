"""LocalStack plugins of Groundcrew's host mode (entry points in ../pyproject.toml).

- ``groundcrew-host`` (LAMBDA_RUNTIME_EXECUTOR): runs functions as host processes instead of Docker,
  lets SQS event source mappings run batches concurrently (sqs_concurrency.py), and writes each
  function's output to the log group its LoggingConfig names (log_group.py).
- ``AWS::CloudFormation::CustomResource``: ``Custom::*`` resources, absent from the community edition.
- ``AWS::Lambda::Function``: CloudFormation's ``aws:cloudformation:*`` tags added (stack_tags.py).
- ``AWS::SES::EmailIdentity``: the community provider is a stub that fails every stack using it;
  it is replaced by name below, because two plugins of one name would race on discovery order.
- ``sesv2:default`` (localstack.aws.provider): SES v2, absent from the community edition; ``SendEmail``
  goes through LocalStack's SES v1 provider, so mail shows up at ``GET /_aws/ses`` (sesv2.py).

Kept import-light: LocalStack imports every plugin module of a namespace while it resolves names;
the implementations are imported only when loaded.
"""

from localstack.services.cloudformation.resource_provider import CloudFormationResourceProviderPlugin
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.resource_providers.generated.aws_lambda_function_plugin import (
    LambdaFunctionProviderPlugin,
)
from localstack.services.plugins import Service, aws_provider
from localstack.services.ses.resource_providers.aws_ses_emailidentity_plugin import (
    SESEmailIdentityProviderPlugin,
)


class HostRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "groundcrew-host"

    def load(self, *args, **kwargs):
        from groundcrew_host_executor import log_group, sqs_concurrency
        from groundcrew_host_executor.executor import HostRuntimeExecutor

        # Loaded when the Lambda service starts, before any event source mapping or environment exists.
        sqs_concurrency.apply()
        log_group.apply()
        return HostRuntimeExecutor


class CustomResourceProviderPlugin(CloudFormationResourceProviderPlugin):
    name = "AWS::CloudFormation::CustomResource"

    def __init__(self):
        self.factory = None

    def load(self):
        from groundcrew_host_executor.custom_resource import CustomResourceProvider

        self.factory = CustomResourceProvider


@aws_provider()
def sesv2() -> Service:
    """The SES v2 service (the name ``sesv2:default`` comes from this function's name)."""
    from groundcrew_host_executor.sesv2 import SesV2Provider, dispatch_table

    return Service.for_provider(SesV2Provider(), dispatch_table_factory=dispatch_table)


def _load_lambda_function_provider(plugin: LambdaFunctionProviderPlugin) -> None:
    from groundcrew_host_executor import stack_tags

    _original_lambda_function_load(plugin)
    stack_tags.apply()


def _load_email_identity_provider(plugin: SESEmailIdentityProviderPlugin) -> None:
    from groundcrew_host_executor.ses_identity import EmailIdentityProvider

    plugin.factory = EmailIdentityProvider


# This module is imported while the resource-provider index is built, before any provider loads.
SESEmailIdentityProviderPlugin.load = _load_email_identity_provider
_original_lambda_function_load = LambdaFunctionProviderPlugin.load
LambdaFunctionProviderPlugin.load = _load_lambda_function_provider
