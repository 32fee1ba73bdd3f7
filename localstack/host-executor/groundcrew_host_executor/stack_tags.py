"""CloudFormation's own tags on Lambda functions, for LocalStack 2026.3 (community).

On AWS every taggable resource a stack creates carries ``aws:cloudformation:stack-name``,
``aws:cloudformation:stack-id`` and ``aws:cloudformation:logical-id``; tools find a stack's functions
by them (``localstack/live-functions.ts``). LocalStack's Lambda function provider does not add them,
so this patch adds them on the provider's first call, before the function is created.
"""

from localstack.services.lambda_.resource_providers.aws_lambda_function import (
    LambdaFunctionProvider,
)

_original_create = LambdaFunctionProvider.create
MARK = "groundcrew_stack_tags"


def create(self: LambdaFunctionProvider, request):
    if not request.custom_context.get(MARK):
        request.custom_context[MARK] = True
        model = request.desired_state
        ours = {
            "aws:cloudformation:stack-name": request.stack_name,
            "aws:cloudformation:stack-id": request.stack_id,
            "aws:cloudformation:logical-id": request.logical_resource_id,
        }
        kept = [tag for tag in model.get("Tags") or [] if tag.get("Key") not in ours]
        model["Tags"] = kept + [{"Key": key, "Value": value} for key, value in ours.items()]
    return _original_create(self, request)


def apply() -> None:
    LambdaFunctionProvider.create = create
