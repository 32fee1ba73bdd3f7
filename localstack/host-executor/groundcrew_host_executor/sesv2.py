"""SES v2 for LocalStack's community edition, which has none.

localstack-core 2026.3.0 ships a provider for SES v1 only (``ses:default`` in its entry points); a
request the gateway recognises as SES v2 (``/v2/...``, ``localstack/aws/protocol/service_router.py``)
finds no ``sesv2`` plugin and is answered 501 "not included in your current license plan"
(``localstack/aws/catalog_exceptions.py``). Groundcrew's mailer sends with SES v2 ``SendEmail``
(functions/notifications/ses-mailer.ts), so this provider is registered as ``sesv2:default``
(plugin.py, entry point in ../pyproject.toml).

``SendEmail`` is handed to LocalStack's own SES v1 provider (``localstack/services/ses/provider.py``)
through its internal client, so that everything v1 does happens for v2 too:
- the sender must be a verified identity, else ``MessageRejected`` (moto's ``SESBackend.send_email``
  and ``send_raw_email``), as on AWS; the stack's ``AWS::SES::EmailIdentity`` verifies it
  (ses_identity.py);
- the message is kept where LocalStack's ``GET /_aws/ses`` lists it (``save_for_retrospection``),
  with ``Destination``, ``Source``, ``Subject`` and ``Body: {text_part, html_part}`` for the simple
  form and ``RawData`` for the raw form;
- a configuration set's SNS event destinations get their ``Send``/``Delivery`` events.

Every other SES v2 operation falls through to moto's ``sesv2`` backend (``moto/sesv2/responses.py``;
see ``dispatch_table``), as LocalStack does for operations its own providers leave out. Measured on
2026-11-22: ListEmailIdentities, CreateConfigurationSet and ListConfigurationSets answer; GetEmailIdentity
of an address answers NotFound (naming it ``notifications%40example.com``); what moto lacks
(GetAccount) answers 501 "No moto route". Groundcrew's functions call none of them; the stack's
``AWS::SES::ConfigurationSet`` is a CloudFormation resource LocalStack accepts without provisioning.

Not reproduced: the ``Template`` content form (moto's v2 has none either), and AWS's check that a named
configuration set exists (SES v1 in LocalStack does not check it either).
"""

from typing import Any

from botocore.exceptions import ClientError
from localstack.aws.api import RequestContext, handler
from localstack.aws.api.core import CommonServiceException, ServiceRequest
from localstack.aws.connect import connect_to
from localstack.aws.skeleton import DispatchTable, create_dispatch_table
from localstack.aws.spec import load_service
from localstack.constants import INTERNAL_AWS_SECRET_ACCESS_KEY
from localstack.http import Response
from localstack.services.moto import dispatch_to_moto

# SES v1 error codes and the SES v2 names AWS documents for the same refusal
# (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html#API_SendEmail_Errors).
# Anything else a v1 call refuses with a 400 is v2's catch-all BadRequestException.
_V2_ERROR_CODES = {
    "MessageRejected": "MessageRejected",
    "MailFromDomainNotVerifiedException": "MailFromDomainNotVerifiedException",
    "ConfigurationSetDoesNotExist": "NotFoundException",
    "AccountSendingPausedException": "SendingPausedException",
    "ConfigurationSetSendingPausedException": "SendingPausedException",
}


def recipients(destination: dict[str, Any]) -> list[str]:
    """Every address of an SES v2 Destination (To, Cc and Bcc), as SES v1's SendRawEmail takes them."""
    return (
        list(destination.get("ToAddresses") or [])
        + list(destination.get("CcAddresses") or [])
        + list(destination.get("BccAddresses") or [])
    )


def v1_send_email(request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SES v1 operation and its parameters for one SES v2 SendEmail request.

    The v2 ``Content.Simple`` is v1's ``Message`` (Subject, Body.Text, Body.Html: the same Content
    shape), ``FromEmailAddress`` is v1's ``Source``, the ``Destination`` is the same shape in both.
    """
    content = request.get("Content") or {}
    source = request.get("FromEmailAddress")
    common: dict[str, Any] = {}
    if request.get("ConfigurationSetName"):
        common["ConfigurationSetName"] = request["ConfigurationSetName"]
    if request.get("EmailTags"):
        common["Tags"] = request["EmailTags"]
    if "Simple" in content:
        if not source:
            raise _bad_request("FromEmailAddress is required when the content is Simple.")
        simple = content["Simple"]
        params: dict[str, Any] = {
            "Destination": request.get("Destination") or {},
            "Message": {"Subject": simple["Subject"], "Body": simple["Body"]},
            "Source": source,
            **common,
        }
        if request.get("ReplyToAddresses"):
            params["ReplyToAddresses"] = request["ReplyToAddresses"]
        return "send_email", params
    if "Raw" in content:
        # v2 takes the recipients from Destination, or from the message's own headers when it has none.
        params = {"RawMessage": {"Data": content["Raw"]["Data"]}, **common}
        if source:
            params["Source"] = source
        if addresses := recipients(request.get("Destination") or {}):
            params["Destinations"] = addresses
        return "send_raw_email", params
    raise _bad_request(
        "Only the Simple and Raw forms of SendEmail's Content are emulated here (Groundcrew's host executor)."
    )


def _bad_request(message: str) -> CommonServiceException:
    return CommonServiceException("BadRequestException", message, status_code=400, sender_fault=True)


def v2_error(error: ClientError) -> CommonServiceException:
    """SES v1's refusal in SES v2's words, with v1's message and status kept."""
    details = error.response.get("Error", {})
    code = details.get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
    v2_code = _V2_ERROR_CODES.get(code, "BadRequestException" if status < 500 else code)
    return CommonServiceException(
        v2_code, details.get("Message", ""), status_code=status, sender_fault=status < 500
    )


class SesV2Provider:
    # Read by Service.for_provider (localstack/services/plugins.py) to load the botocore model of SES v2.
    service = "sesv2"
    version = "2019-09-27"

    @handler("SendEmail", expand=False)
    def send_email(self, context: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        operation, params = v1_send_email(request)
        # The same account and region as the caller: LocalStack takes a 12-digit access key as the
        # account id, the way its SES v1 provider reaches SNS (SNSEmitter._client_for_topic).
        ses = connect_to(
            region_name=context.region,
            aws_access_key_id=context.account_id,
            aws_secret_access_key=INTERNAL_AWS_SECRET_ACCESS_KEY,
        ).ses
        try:
            sent = getattr(ses, operation)(**params)
        except ClientError as error:
            raise v2_error(error) from error
        return {"MessageId": sent["MessageId"]}


def _to_moto(context: RequestContext, _request: ServiceRequest) -> Response:
    return dispatch_to_moto(context)


def dispatch_table(provider: SesV2Provider) -> DispatchTable:
    """The provider's operations, and moto's for the rest of SES v2.

    LocalStack's gateway routes only the operations a dispatch table names (``ServiceRequestRouter``
    in localstack/aws/handlers/service.py), and its ``MotoFallbackDispatcher`` wraps just the
    provider's own: fine for generated API classes that name every operation, not for this one.
    """
    table = create_dispatch_table(provider)
    for operation in load_service("sesv2").operation_names:
        table.setdefault(operation, _to_moto)
    return table
