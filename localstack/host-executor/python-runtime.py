"""One Python Lambda execution environment for LocalStack's host executor (CDK's Python custom
resources). The same exchange as node-runtime.mjs: load the handler from LAMBDA_TASK_ROOT, report
ready (or the import error), then per invoke post the captured logs and the response or the error.
Standard library only; boto3 comes from the virtualenv LocalStack runs in.
"""

import importlib
import io
import json
import os
import sys
import threading
import time
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

ENDPOINT = os.environ["LOCALSTACK_RUNTIME_ENDPOINT"]
RUNTIME_ID = os.environ["LOCALSTACK_RUNTIME_ID"]
PORT = int(os.environ["GROUNDCREW_RUNTIME_PORT"])
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
TIMEOUT_SECONDS = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))


def post(path: str, body) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        ENDPOINT + path, data=data, method="POST", headers={"content-type": "application/json"}
    )
    # LocalStack's own endpoint is on loopback: never through a proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    opener.open(request, timeout=30).read()


def error_payload(error: BaseException) -> dict:
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error),
    }


def load_handler(handler: str):
    module_name, _, function_name = handler.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler {handler}")
    sys.path.insert(0, TASK_ROOT)
    module = importlib.import_module(module_name.replace("/", "."))
    return getattr(module, function_name)


class Context:
    def __init__(self, invoke: dict, deadline: float):
        self.aws_request_id = invoke["invoke-id"]
        self.invoked_function_arn = invoke["invoked-function-arn"]
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


class Tee(io.TextIOBase):
    """Passes output through to the process's stdout and keeps a copy for the invoke's logs."""

    def __init__(self, target):
        self.target = target
        self.copy: list[str] | None = None

    def write(self, text):
        if self.copy is not None:
            self.copy.append(text)
        return self.target.write(text)

    def flush(self):
        self.target.flush()


def handle(fn, invoke: dict, tee: Tee) -> None:
    request_id = invoke["invoke-id"]
    tee.copy = []
    print(f"START RequestId: {request_id}")
    os.environ["_X_AMZN_TRACE_ID"] = invoke.get("trace-id") or ""
    started = time.time()
    outcome: dict = {}

    def call():
        try:
            event = json.loads(invoke.get("payload") or "{}")
            outcome["value"] = fn(event, Context(invoke, started + TIMEOUT_SECONDS))
        except BaseException as error:  # the handler's failure is the invoke's result
            traceback.print_exc()
            outcome["error"] = error_payload(error)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(TIMEOUT_SECONDS)
    if worker.is_alive():
        outcome = {
            "error": {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"{request_id} Task timed out after {TIMEOUT_SECONDS:.2f} seconds",
            }
        }
    print(f"END RequestId: {request_id}")
    print(f"REPORT RequestId: {request_id}\tDuration: {int((time.time() - started) * 1000)} ms")
    logs = "".join(tee.copy)
    tee.copy = None
    post(f"/invocations/{request_id}/logs", {"logs": logs})
    if "error" in outcome:
        post(f"/invocations/{request_id}/error", outcome["error"])
    else:
        post(f"/invocations/{request_id}/response", json.dumps(outcome.get("value")).encode())


def exit_with_parent() -> None:
    """LocalStack stops its environments on shutdown; if it is killed instead, its runtimes must not linger."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(2)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    exit_with_parent()
    tee = Tee(sys.stdout)
    sys.stdout = tee
    sys.stderr = tee
    try:
        fn = load_handler(os.environ.get("_HANDLER", "index.handler"))
    except BaseException as error:
        traceback.print_exc()
        post(f"/status/{RUNTIME_ID}/error", error_payload(error))
        sys.exit(1)

    class Invoke(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path != "/invoke":
                self.send_response(404)
                self.end_headers()
                return
            invoke = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
            # Accept at once: the outcome travels back through the endpoint.
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()
            threading.Thread(target=handle, args=(fn, invoke, tee), daemon=True).start()

        def log_message(self, format, *args):
            pass

    server = HTTPServer(("127.0.0.1", PORT), Invoke)
    post(f"/status/{RUNTIME_ID}/ready", {})
    server.serve_forever()


if __name__ == "__main__":
    main()
