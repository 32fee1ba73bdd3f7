"""LocalStack's Lambda runtime executor, with host processes in place of Docker containers.

LocalStack drives an execution environment through a small HTTP exchange (see
localstack/services/lambda_/invocation/executor_endpoint.py): the runtime reports
``POST <endpoint>/status/<id>/ready`` (or ``/error``) once the handler is loaded, LocalStack
``POST``s each invoke to ``http://<address>:<port>/invoke``, and the runtime answers with
``/invocations/<request-id>/logs`` then ``/response`` or ``/error``. In Docker, the Go binary
``lambda-runtime-init`` (downloaded at function creation) speaks it; here one bootstrap process per
environment does (``node-runtime.mjs`` for Node, ``python-runtime.py`` for Python), so nothing is
downloaded and the function's code runs straight from LocalStack's unzipped copy.

The runtime named in the template only picks the language: Node functions run on the host's
``node``, Python ones (CDK's custom resources) on this virtualenv's interpreter, which has boto3.
"""

import collections
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

from localstack import config
from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.executor_endpoint import (
    ExecutorEndpoint,
    StatusErrorException,
)
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)
from localstack.utils.net import get_free_tcp_port

LOG = logging.getLogger(__name__)

HOST_EXECUTOR_DIR = Path(__file__).resolve().parent.parent
NODE_RUNTIME = HOST_EXECUTOR_DIR / "node-runtime.mjs"
PYTHON_RUNTIME = HOST_EXECUTOR_DIR / "python-runtime.py"
LOOPBACK = "127.0.0.1"
# What a function process inherits from LocalStack's own environment; the rest comes from LocalStack's
# function environment (credentials, region, handler, the function's variables).
INHERITED_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "NODE_PATH", "TMPDIR", "SSL_CERT_FILE")
KEPT_LOG_LINES = 2000


def runtime_command(runtime: str | None) -> list[str]:
    """The bootstrap process for a Lambda runtime name; only the language matters here."""
    if runtime and runtime.startswith("python"):
        return [sys.executable, "-u", str(PYTHON_RUNTIME)]
    if runtime and runtime.startswith("nodejs"):
        node = os.environ.get("GROUNDCREW_LAMBDA_NODE") or shutil.which("node")
        if not node:
            raise LambdaRuntimeException("node is not on the PATH of LocalStack's process")
        return [node, str(NODE_RUNTIME)]
    raise LambdaRuntimeException(
        f"runtime {runtime!r} is not supported by the host executor (Node and Python only)"
    )


def function_environment(
    env_vars: dict[str, str], code_dir: str, port: int
) -> dict[str, str]:
    env = {name: os.environ[name] for name in INHERITED_VARIABLES if name in os.environ}
    env.update({name: str(value) for name, value in env_vars.items() if value is not None})
    # The container paths LocalStack assumes do not exist on the host.
    env["LAMBDA_TASK_ROOT"] = code_dir
    env.pop("LAMBDA_RUNTIME_DIR", None)
    env["GROUNDCREW_RUNTIME_PORT"] = str(port)
    return env


def fence_package_scope(code_dir: Path) -> None:
    """Gives unzipped code a package scope of its own, as /var/task has on AWS.

    Node decides whether a .js file is CommonJS or ESM from the nearest package.json up the tree; the
    unzipped code lives under the state folder inside this repository, whose package.json says
    "type": "module", so CDK's CommonJS bundles would load as ESM and fail. An empty package.json just
    above the code stops that search (a package.json inside the bundle still wins).
    """
    fence = code_dir.parent / "package.json"
    if code_dir.is_dir() and not fence.exists():
        fence.write_text("{}\n")


class HostRuntimeExecutor(RuntimeExecutor):
    executor_endpoint: ExecutorEndpoint
    process: subprocess.Popen | None

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.executor_endpoint = ExecutorEndpoint(self.id, container_address=LOOPBACK)
        self.process = None
        self.log_lines: collections.deque[str] = collections.deque(maxlen=KEPT_LOG_LINES)
        self._env_vars: dict[str, str] = {}
        self._stopping = False
        # The process and request id of the invoke under way, to fail it if that process dies.
        self._invoking: tuple[subprocess.Popen, str] | None = None

    def start(self, env_vars: dict[str, str]) -> None:
        config_ = self.function_version.config
        if config_.package_type != PackageType.Zip:
            raise LambdaRuntimeException("the host executor runs zip packages only")
        self._env_vars = env_vars
        self.executor_endpoint.start()
        self.executor_endpoint.container_port = get_free_tcp_port()
        self._spawn()
        self.executor_endpoint.wait_for_startup()

    def _spawn(self) -> None:
        config_ = self.function_version.config
        command = runtime_command(config_.runtime)
        code_dir = str(config_.code.get_unzipped_code_location())
        port = self.executor_endpoint.container_port
        LOG.debug("Starting %s for %s in %s", command, self.function_version.qualified_arn, code_dir)
        self.process = subprocess.Popen(
            command,
            cwd=code_dir,
            env=function_environment(self._env_vars, code_dir, port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own process group, so stop() ends whatever the handler spawned too.
            start_new_session=True,
        )
        threading.Thread(
            target=self._follow_output,
            args=(self.process,),
            name=f"lambda-host-{self.id}",
            daemon=True,
        ).start()

    def _follow_output(self, process: subprocess.Popen) -> None:
        for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            self.log_lines.append(line)
            LOG.debug("[lambda %s] %s", self.function_version.id.function_name, line)
        code = process.wait()
        tail = "\n".join(list(self.log_lines)[-20:])
        future = self.executor_endpoint.startup_future
        # A process that dies before reporting ready would otherwise wait out the startup timeout.
        if future is not None and not future.done():
            future.set_exception(
                StatusErrorException(
                    f"runtime process exited with {code} before it was ready",
                    payload=json.dumps(
                        {"errorType": "Runtime.ExitError", "errorMessage": f"exit {code}: {tail}"}
                    ).encode(),
                )
            )
            return
        self._fail_invoke_of(process, code, tail)

    def _fail_invoke_of(self, process: subprocess.Popen, code: int, tail: str) -> None:
        """A handler that ends its process (process.exit, a crash, the OOM killer) mid-invoke.

        AWS answers that invoke at once with ``Runtime.ExitError`` and the next invoke gets a fresh
        environment. LocalStack's own endpoint would wait for an answer that never comes, for up to
        905 s (900 s plus a buffer, executor_endpoint.py), and the caller with it: an SQS mapping
        then has one batch slot fewer for a quarter of an hour. So the invoke is failed here, as AWS
        fails it, and ``invoke`` starts a new process for the next one.
        """
        invoking = self._invoking
        future = self.executor_endpoint.invocation_future
        if self._stopping or invoking is None or invoking[0] is not process:
            return
        if future is None or future.done():
            return
        request_id = invoking[1]
        signal_or_status = f"signal: {-code}" if code < 0 else f"exit status {code}"
        payload = {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {signal_or_status}",
        }
        LOG.info(
            "Runtime of %s exited mid-invoke (%s)", self.function_version.id.function_name, signal_or_status
        )
        future.set_result(
            InvocationResult(request_id, json.dumps(payload).encode(), is_error=True, logs=tail)
        )

    def _respawn(self) -> None:
        """A fresh runtime process after the last one died: what AWS's next invoke gets, a cold start."""
        self.executor_endpoint.startup_future = Future()
        self._spawn()
        self.executor_endpoint.wait_for_startup()

    def stop(self) -> None:
        self._stopping = True
        process = self.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, 15)
                process.wait(timeout=3)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, 9)
                except ProcessLookupError:
                    pass
        try:
            self.executor_endpoint.shutdown()
        except Exception as e:  # already unregistered
            LOG.debug("Error while stopping the executor endpoint of %s: %s", self.id, e)

    def get_address(self) -> str:
        return LOOPBACK

    def get_endpoint_from_executor(self) -> str:
        return LOOPBACK

    def get_runtime_endpoint(self) -> str:
        return (
            f"http://{LOOPBACK}:{config.GATEWAY_LISTEN[0].port}"
            f"{self.executor_endpoint.get_endpoint_prefix()}"
        )

    def invoke(self, payload: dict[str, str]):
        if self.process is not None and self.process.poll() is not None:
            self._respawn()
        self._invoking = (self.process, payload.get("invoke-id", ""))
        try:
            return self.executor_endpoint.invoke(payload)
        finally:
            self._invoking = None

    def get_logs(self) -> str:
        return "\n".join(self.log_lines)

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        # Unzip only: no runtime-init download and no image, unlike the Docker executor.
        code = function_version.config.code
        if code:
            code.prepare_for_execution()
            if not code.is_hot_reloading():
                fence_package_scope(Path(code.get_unzipped_code_location()))

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        if not shutil.which("node") and not os.environ.get("GROUNDCREW_LAMBDA_NODE"):
            LOG.warning("node is not on the PATH: Node functions will fail to start")
        return True

