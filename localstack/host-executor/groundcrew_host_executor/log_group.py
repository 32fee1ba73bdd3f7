"""Lambda's ``LoggingConfig.LogGroup`` for LocalStack 2026.3 (community).

LocalStack stores a function's output in ``/aws/lambda/<name>`` whatever the function's logging
configuration names ("Advanced Lambda Logging Configuration is currently mocked"). Our functions name
their own log groups (CDK ``logGroup``), which stay empty, so anything reading them (`npm start`'s log
stream) sees nothing. With this patch the environment uses the configured group, as AWS does.
"""

from localstack.services.lambda_.invocation.execution_environment import ExecutionEnvironment

_original_get_log_group_name = ExecutionEnvironment.get_log_group_name


def get_log_group_name(self: ExecutionEnvironment) -> str:
    configured = (self.function_version.config.logging_config or {}).get("LogGroup")
    return configured or _original_get_log_group_name(self)


def apply() -> None:
    ExecutionEnvironment.get_log_group_name = get_log_group_name
