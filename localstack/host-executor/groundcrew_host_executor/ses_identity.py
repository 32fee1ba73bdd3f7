"""``AWS::SES::EmailIdentity`` for LocalStack's community edition.

Its own provider (localstack 2026.3.0) returns IN_PROGRESS once and then raises NotImplementedError,
which fails the whole stack. This one registers the identity with SES (LocalStack verifies it at
once) and deletes it again with the stack.
"""

from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)


class EmailIdentityProvider(ResourceProvider[dict]):
    SCHEMA = {
        "typeName": "AWS::SES::EmailIdentity",
        "primaryIdentifier": ["/properties/EmailIdentity"],
        "properties": {},
    }

    def create(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        model = dict(request.desired_state)
        identity = model["EmailIdentity"]
        ses = request.aws_client_factory.ses
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        return ProgressEvent(OperationStatus.SUCCESS, resource_model=model)

    def update(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        return ProgressEvent(OperationStatus.SUCCESS, resource_model=dict(request.desired_state))

    def delete(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        identity = (request.previous_state or request.desired_state or {}).get("EmailIdentity")
        if identity:
            request.aws_client_factory.ses.delete_identity(Identity=identity)
        return ProgressEvent(OperationStatus.SUCCESS, resource_model={})

    def read(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        raise NotImplementedError
