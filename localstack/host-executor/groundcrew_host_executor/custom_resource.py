"""CloudFormation custom resources (``Custom::*``) for LocalStack's community edition.

localstack-core 2026.3.0 has no provider for ``AWS::CloudFormation::CustomResource`` (it is part of
the Pro image): a custom resource "succeeds" without its Lambda ever being called, so CDK Triggers
(the migrations, the static-site upload) and S3 bucket notifications would silently not happen.
This provider does what CloudFormation does: invokes the ServiceToken Lambda with the custom
resource event and waits for the handler's PUT to the event's ResponseURL, which points at a route
this module adds to LocalStack's gateway.
"""

import json
import logging
import threading
import uuid
from http import HTTPStatus

from botocore.config import Config
from werkzeug import Request

from localstack import config
from localstack.aws.connect import connect_to
from localstack.http import Response, route
from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)
from localstack.services.edge import ROUTER
from localstack.utils.objects import singleton_factory

LOG = logging.getLogger(__name__)
RESPONSE_PATH = "/_groundcrew/cfn-response"
# How long one handler may take (a Trigger's migrations run inside it); CFN_PER_RESOURCE_TIMEOUT caps it too.
INVOKE_READ_TIMEOUT_SECONDS = 900


class ResponseStore:
    """The handlers' PUTs to their ResponseURL, by token, until the deploy loop picks them up."""

    def __init__(self):
        self._lock = threading.Lock()
        self._responses: dict[str, dict] = {}

    def put(self, token: str, response: dict) -> None:
        with self._lock:
            self._responses[token] = response

    def put_if_absent(self, token: str, response: dict) -> None:
        with self._lock:
            self._responses.setdefault(token, response)

    def take(self, token: str) -> dict | None:
        with self._lock:
            return self._responses.pop(token, None)

    @route(f"{RESPONSE_PATH}/<token>", methods=["PUT"])
    def receive(self, request: Request, token: str) -> Response:
        try:
            self.put(token, json.loads(request.get_data(as_text=True) or "{}"))
        except ValueError:
            return Response("not JSON", status=HTTPStatus.BAD_REQUEST)
        return Response(status=HTTPStatus.OK)


@singleton_factory
def response_store() -> ResponseStore:
    store = ResponseStore()
    ROUTER.add(store)
    return store


def wire_properties(value):
    """As CloudFormation sends them: maps and lists kept, every scalar a string (CDK's Python
    notification handler calls .lower() on booleans)."""
    if isinstance(value, dict):
        return {key: wire_properties(item) for key, item in value.items()}
    if isinstance(value, list):
        return [wire_properties(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def response_url(token: str) -> str:
    return f"http://127.0.0.1:{config.GATEWAY_LISTEN[0].port}{RESPONSE_PATH}/{token}"


class CustomResourceProvider(ResourceProvider[dict]):
    # The physical id the handler chose becomes the resource's identifier.
    SCHEMA = {
        "typeName": "AWS::CloudFormation::CustomResource",
        "primaryIdentifier": ["/properties/PhysicalResourceId"],
        "properties": {},
    }

    def create(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        return self._exchange(request, "Create")

    def update(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        return self._exchange(request, "Update")

    def delete(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        return self._exchange(request, "Delete")

    def read(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        raise NotImplementedError

    def _exchange(self, request: ResourceRequest[dict], request_type: str) -> ProgressEvent[dict]:
        context = request.custom_context
        model = dict(request.desired_state or {})
        previous = dict(request.previous_state or {})
        if "token" not in context:
            token = str(uuid.uuid4())
            context["token"] = token
            response_store()  # the route must exist before the handler answers
            event = self._event(request, request_type, token, model, previous)
            threading.Thread(
                target=self._invoke,
                args=(request, model.get("ServiceToken") or previous.get("ServiceToken"), event),
                name=f"custom-resource-{request.logical_resource_id}",
                daemon=True,
            ).start()
            return ProgressEvent(OperationStatus.IN_PROGRESS, resource_model=model, custom_context=context)

        answer = response_store().take(context["token"])
        if answer is None:
            return ProgressEvent(OperationStatus.IN_PROGRESS, resource_model=model, custom_context=context)
        if answer.get("Status") != "SUCCESS":
            if request_type == "Delete":
                # As CloudFormation does on a stack's deletion: the failure is reported, the resource goes.
                LOG.warning("custom resource %s failed to delete: %s", request.logical_resource_id, answer)
                return ProgressEvent(OperationStatus.SUCCESS, resource_model={})
            return ProgressEvent(
                OperationStatus.FAILED,
                resource_model=model,
                message=answer.get("Reason") or "the custom resource handler reported FAILED",
            )
        data = answer.get("Data") or {}
        physical_id = (
            answer.get("PhysicalResourceId")
            or previous.get("PhysicalResourceId")
            or request.logical_resource_id
        )
        return ProgressEvent(
            OperationStatus.SUCCESS,
            resource_model={**model, **data, "PhysicalResourceId": physical_id},
        )

    @staticmethod
    def _event(request, request_type, token, model, previous) -> dict:
        properties = {k: v for k, v in model.items() if k != "PhysicalResourceId"}
        event = {
            "RequestType": request_type,
            "RequestId": str(uuid.uuid4()),
            "StackId": request.stack_id,
            "ResponseURL": response_url(token),
            "ResourceType": request.resource_type,
            "LogicalResourceId": request.logical_resource_id,
            "ResourceProperties": wire_properties(properties if request_type != "Delete" else previous),
        }
        if request_type == "Update":
            event["OldResourceProperties"] = wire_properties(
                {k: v for k, v in previous.items() if k != "PhysicalResourceId"}
            )
        if request_type != "Create":
            event["PhysicalResourceId"] = previous.get("PhysicalResourceId") or request.logical_resource_id
        return event

    @staticmethod
    def _invoke(request, service_token: str, event: dict) -> None:
        """Calls the handler and, when it crashed before answering, answers FAILED on its behalf."""
        token = event["ResponseURL"].rsplit("/", 1)[-1]
        try:
            client = connect_to(
                region_name=request.region_name,
                config=Config(read_timeout=INVOKE_READ_TIMEOUT_SECONDS, retries={"max_attempts": 0}),
            ).lambda_
            result = client.invoke(FunctionName=service_token, Payload=json.dumps(event).encode())
            failure = result.get("FunctionError") and result["Payload"].read().decode()
        except Exception as e:
            failure = str(e)
        if failure:
            LOG.warning("custom resource %s: handler failed: %s", event["LogicalResourceId"], failure)
            # A handler may have answered before it failed; its answer stands.
            response_store().put_if_absent(token, {"Status": "FAILED", "Reason": failure[:4000]})
