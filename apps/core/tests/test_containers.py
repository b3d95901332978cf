"""The container and Kubernetes files agree with the settings, the URLs and each other.

No Docker engine or cluster runs the tests, so the Dockerfile, docker-compose.yml and
deploy/*.yaml are parsed and checked against what the code actually reads and serves, and
the compose file against the Compose Specification's JSON schema (data/compose-spec.json,
from compose-spec/compose-spec, Apache-2.0). The checks are about behaviour: which app a
command serves, on which port, as which user, with which settings; not image tags or
command lines word for word.
"""

import ast
import fnmatch
import functools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from celery import Celery
from django.conf import settings
from django.urls import resolve
from django.utils.module_loading import import_string

from apps.core import views

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("web", "worker", "beat", "migrate")
# Variables Django itself reads; settings.py reads every other one.
FRAMEWORK_ENV = {"DJANGO_SETTINGS_MODULE"}
# Variables whose values are credentials: a URL with a password counts.
SENSITIVE_ENV = {
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
}
SENSITIVE_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE")
REQUIRED_INTERPOLATION = re.compile(r"^\$\{(?P<name>[A-Z_][A-Z0-9_]*):\?[^}]*\}$")
URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]*:(?P<password>[^@\s]*)@")
COMPOSE_SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"
# The API group and version each kind of object in deploy/ is served under.
KUBE_API_VERSIONS = {
    "Deployment": "apps/v1",
    "Job": "batch/v1",
    "Service": "v1",
    "ConfigMap": "v1",
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
}


# --- helpers -----------------------------------------------------------------


@functools.cache
def settings_env_names() -> set[str]:
    """Every variable backoffice/settings.py reads: env("X"), env.bool("X"), env.db("X")..."""
    tree = ast.parse((ROOT / "backoffice" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def is_sensitive(name: str) -> bool:
    return name in SENSITIVE_ENV or bool(SENSITIVE_NAME.search(name))


def asgi_target() -> str:
    """settings.ASGI_APPLICATION as a server target: backoffice.asgi.application -> module:attr."""
    module, attr = settings.ASGI_APPLICATION.rsplit(".", 1)
    return f"{module}:{attr}"


def as_argv(command: str | list[str] | None) -> list[str]:
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def option(argv: list[str], *names: str) -> str | None:
    """The value of ``-p 8000``, ``--port 8000`` or ``--port=8000`` in a command line."""
    for index, part in enumerate(argv):
        if part in names and index + 1 < len(argv):
            return argv[index + 1]
        for name in names:
            if name.startswith("--") and part.startswith(f"{name}="):
                return part.split("=", 1)[1]
    return None


def served_port(argv: list[str]) -> int:
    """The port the ASGI server of a command listens on (daphne and uvicorn spell it alike)."""
    return int(option(argv, "-p", "--port") or 8000)


def celery_app_of(argv: list[str]) -> Celery:
    """The Celery application ``celery -A <name>`` loads, found as Celery itself finds it."""
    name = option(argv, "-A", "--app")
    assert name, argv
    module = import_string(name) if "." in name else __import__(name)
    if isinstance(module, Celery):
        return module
    candidates = [getattr(module, attr, None) for attr in ("app", "celery", "celery_app")]
    (app,) = {id(c): c for c in candidates if isinstance(c, Celery)}.values()
    return app


@functools.cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def compose_services() -> dict[str, dict]:
    return compose()["services"]


def compose_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) for item in environment)
        return {pair[0]: pair[1] if len(pair) > 1 else "" for pair in pairs}
    return {name: "" if value is None else str(value) for name, value in environment.items()}


def app_service_names() -> list[str]:
    """Services that run the backoffice image (whatever they are called)."""
    services = compose_services()
    image = services["web"].get("image")
    return [
        name
        for name, service in services.items()
        if "build" in service or (image and service.get("image") == image)
    ]


@functools.cache
def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuations joined."""
    logical: list[str] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[list[tuple[str, str]]] = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, arguments.strip()))
    return stages


def instructions(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [arguments for kw, arguments in stage if kw == keyword]


def env_instruction_names(arguments: str) -> set[str]:
    """Names an ENV or ARG instruction sets: "A=1 B=2", "A 1" or "NAME"."""
    parts = shlex.split(arguments)
    if parts and "=" not in parts[0]:
        return {parts[0]}
    return {part.split("=", 1)[0] for part in parts}


def healthcheck_code() -> str:
    """The Python source the image's HEALTHCHECK runs with python -c."""
    (healthcheck,) = instructions(dockerfile_stages()[-1], "HEALTHCHECK")
    argv = shlex.split(healthcheck.split(" CMD ", 1)[1])
    return argv[argv.index("-c") + 1]


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, simplified: a pattern excludes a path or any folder above it."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw.lstrip("!").lstrip("/")
        if pattern.startswith("**/"):
            tail = pattern[3:]
            matched = any(fnmatch.fnmatch(c.rsplit("/", 1)[-1], tail) for c in candidates)
            matched = matched or any(fnmatch.fnmatch(c, tail) for c in candidates)
        else:
            matched = any(fnmatch.fnmatch(c, pattern) for c in candidates)
        if matched:
            excluded = not negate
    return excluded


@functools.cache
def kube_documents() -> list[dict]:
    documents = []
    for path in sorted((ROOT / "deploy").glob("*.y*ml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def kube_documents_of_kind(kind: str) -> list[dict]:
    return [doc for doc in kube_documents() if doc["kind"] == kind]


def kube_objects(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in kube_documents() if doc["kind"] == kind}


def kube_workloads() -> dict[str, dict]:
    return {**kube_objects("Deployment"), **kube_objects("Job")}


def kube_containers() -> list[dict]:
    containers = []
    for workload in kube_workloads().values():
        pod = workload["spec"]["template"]["spec"]
        containers += pod.get("initContainers", []) + pod["containers"]
    return containers


def kube_container(workload_name: str) -> dict:
    (container,) = kube_workloads()[workload_name]["spec"]["template"]["spec"]["containers"]
    return container


def kube_config() -> dict[str, str]:
    data: dict[str, str] = {}
    for config_map in kube_objects("ConfigMap").values():
        data.update(config_map.get("data") or {})
    return data


# --- settings ------------------------------------------------------------------


def test_the_settings_reader_finds_the_variables_settings_py_is_known_to_read():
    names = settings_env_names()

    assert {
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_COOKIES",
    } <= names


# --- docker-compose.yml --------------------------------------------------------


def test_compose_defines_every_service_the_stack_needs():
    services = compose_services()

    assert {"web", "worker", "beat", "migrate", "postgres", "redis"} <= set(services)


def test_compose_is_valid_per_the_compose_specification():
    validator = jsonschema.Draft7Validator(json.loads(COMPOSE_SCHEMA.read_text()))

    assert [error.message for error in validator.iter_errors(compose())] == []
    # The schema is strict about what it does not know: a misspelt key fails.
    typo = {**compose(), "services": {"web": {**compose_services()["web"], "comand": "x"}}}
    assert not validator.is_valid(typo)


def test_compose_services_depend_on_defined_services_and_mount_defined_volumes():
    services = compose_services()
    declared = set(compose().get("volumes") or {})
    used = set()

    for name, service in services.items():
        assert set(service.get("depends_on") or {}) <= set(services) - {name}, name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/", "~")):  # a named volume, not a bind mount
                assert source in declared, f"{name} mounts undeclared volume {source}"
                used.add(source)
    assert used == declared


def test_compose_databases_are_versions_the_stack_supports():
    services = compose_services()

    def major(image: str) -> int:
        match = re.match(r"^[\w./-]+:(\d+)", image)
        assert match, f"{image} names no major version: a new major would arrive unannounced"
        return int(match.group(1))

    # Django 5.2 supports PostgreSQL 14 and later; channels-redis 4 and Celery need Redis 5+.
    assert major(services["postgres"]["image"]) >= 14
    assert major(services["redis"]["image"]) >= 5
    # The app reaches them under their service names.
    for name in APP_SERVICES:
        environment = compose_environment(services[name])
        assert re.search(r"@postgres:\d+/", environment["DATABASE_URL"]), name
        assert environment["REDIS_URL"].startswith("redis://redis:"), name


def test_web_worker_beat_and_migrate_share_one_image_and_build():
    services = compose_services()
    web = services["web"]

    assert web.get("build")
    assert web.get("image")
    for name in APP_SERVICES:
        assert services[name].get("build") == web["build"], name
        assert services[name].get("image") == web["image"], name
    assert set(APP_SERVICES) <= set(app_service_names())


def test_app_services_set_only_variables_that_settings_read():
    known = settings_env_names() | FRAMEWORK_ENV

    for name in app_service_names():
        unknown = set(compose_environment(compose_services()[name])) - known
        assert not unknown, f"{name} sets variables settings.py never reads: {sorted(unknown)}"


def test_app_services_set_the_production_variables_and_plain_http_switches():
    for name in APP_SERVICES:
        environment = compose_environment(compose_services()[name])

        assert {
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "DJANGO_CSRF_TRUSTED_ORIGINS",
        } <= set(environment), name
        assert environment["DATABASE_URL"].startswith(("postgres://", "postgresql://")), name
        assert "@postgres:" in environment["DATABASE_URL"], name
        assert environment["REDIS_URL"].startswith("redis://redis:"), name
        # Local compose is served over plain http: no redirect loop, cookies still sent.
        assert environment["DJANGO_SECURE_SSL_REDIRECT"] == "0", name
        assert environment["DJANGO_SECURE_COOKIES"] == "0", name
        assert "DJANGO_DEBUG" not in environment, name


def test_compose_trusts_no_forwarded_proto_header_with_no_proxy_in_front():
    # daphne is published directly: a client could send X-Forwarded-Proto itself.
    for name in app_service_names():
        environment = compose_environment(compose_services()[name])
        assert environment.get("DJANGO_SECURE_PROXY_SSL_HEADER", "0") in {"0", ""}, name


def test_compose_secrets_are_required_interpolations_never_literal_values():
    for name, service in compose_services().items():
        for variable, value in compose_environment(service).items():
            url_password = URL_PASSWORD.match(value)
            if url_password:
                assert REQUIRED_INTERPOLATION.match(url_password["password"]), (
                    f"{name}: the password in {variable} is hard-coded"
                )
            elif is_sensitive(variable) and "://" not in value:
                assert REQUIRED_INTERPOLATION.match(value), f"{name}: {variable} is hard-coded"
    environment = compose_environment(compose_services()["web"])
    assert REQUIRED_INTERPOLATION.match(environment["DJANGO_SECRET_KEY"])["name"] == (
        "DJANGO_SECRET_KEY"
    )


def test_web_serves_the_asgi_application_on_every_interface_at_the_published_port():
    web = compose_services()["web"]
    command = as_argv(web.get("command"))
    published = {str(port).rsplit(":", 1)[-1].split("/")[0] for port in web.get("ports", [])}

    assert command[-1] == asgi_target()
    assert import_string(settings.ASGI_APPLICATION)  # the target exists
    # A server in the image: the command's program is a requirement we install.
    assert re.search(
        rf"^{re.escape(command[0])}==", (ROOT / "requirements/base.txt").read_text(), re.M
    )
    # Bound to localhost only, it would be unreachable from outside the container.
    assert option(command, "-b", "--bind", "--host") == "0.0.0.0"
    assert str(served_port(command)) in published


def test_worker_and_beat_run_the_project_s_celery_app_with_its_schedule():
    services = compose_services()
    worker, beat = (as_argv(services[name]["command"]) for name in ("worker", "beat"))

    assert (worker[0], beat[0]) == ("celery", "celery")
    assert "worker" in worker
    assert "beat" in beat
    for argv in (worker, beat):
        app = celery_app_of(argv)
        assert app.main == "backoffice"
        assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    # The image's code is read-only to its user: beat's schedule file goes elsewhere.
    assert option(beat, "-s", "--schedule").startswith("/tmp/")


def test_migrate_runs_once_and_gates_every_other_app_service():
    services = compose_services()
    migrate = services["migrate"]

    argv = as_argv(migrate["command"])
    assert argv[argv.index("manage.py") + 1] == "migrate"
    assert "--noinput" in argv or "--no-input" in argv  # nobody is there to answer
    assert str(migrate.get("restart", "no")) == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_every_long_running_service_has_a_healthcheck():
    services = compose_services()

    for name in ("postgres", "redis", "worker"):
        assert services[name]["healthcheck"]["test"], name
    # Web keeps the image's HEALTHCHECK on /health/ (or overrides it with one that probes /health/).
    web_check = services["web"].get("healthcheck")
    if web_check is None:
        assert instructions(dockerfile_stages()[-1], "HEALTHCHECK")
    else:
        assert not web_check.get("disable")
        assert "/health/" in " ".join(as_argv(web_check["test"]))
    # Beat and migrate serve no HTTP: the image's check would mark them unhealthy forever.
    assert services["beat"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}


# --- Dockerfile ------------------------------------------------------------------


def test_dockerfile_builds_wheels_in_a_builder_stage_and_runs_on_python_311_slim():
    stages = dockerfile_stages()
    builder, final = stages[0], stages[-1]

    assert len(stages) >= 2
    assert any(
        "pip wheel" in run and "requirements/prod.txt" in run
        for run in instructions(builder, "RUN")
    )
    # The image runs the Python the code is written and tested for.
    image = instructions(final, "FROM")[0].split()[0]
    assert re.match(rf"^python:{sys.version_info.major}\.{sys.version_info.minor}\b", image)
    installs = [run for run in instructions(final, "RUN") if "pip install" in run]
    assert installs
    assert all("--no-index" in run and "requirements/prod.txt" in run for run in installs)


def test_dockerfile_final_stage_runs_as_a_non_root_user():
    final = dockerfile_stages()[-1]
    users = instructions(final, "USER")
    keywords = [keyword for keyword, _ in final]

    assert users
    assert users[-1].split(":")[0] not in {"root", "0", ""}
    last_user = max(i for i, keyword in enumerate(keywords) if keyword == "USER")
    assert last_user < keywords.index("CMD")


def test_dockerfile_pod_user_matches_the_kubernetes_run_as_user():
    user = instructions(dockerfile_stages()[-1], "USER")[-1].split(":")[0]

    for workload in kube_workloads().values():
        pod_security = workload["spec"]["template"]["spec"]["securityContext"]
        assert pod_security["runAsNonRoot"] is True
        assert str(pod_security["runAsUser"]) == user


def test_dockerfile_collects_static_files_at_build_time_without_baking_in_a_secret():
    stages = dockerfile_stages()
    final = stages[-1]

    assert any("manage.py collectstatic" in run for run in instructions(final, "RUN"))
    for stage in stages:
        for keyword in ("ENV", "ARG"):
            for arguments in instructions(stage, keyword):
                assert not any(is_sensitive(name) for name in env_instruction_names(arguments))
    # Collected files belong in the image only: never copied from the build context.
    assert dockerignored("staticfiles/admin/css/base.css", dockerignore_patterns())


def test_dockerfile_cmd_is_the_compose_web_command_on_the_port_it_exposes():
    final = dockerfile_stages()[-1]

    (cmd,) = instructions(final, "CMD")
    argv = json.loads(cmd)  # exec form: signals reach the server, not a shell
    assert argv == as_argv(compose_services()["web"]["command"])
    assert argv[-1] == asgi_target()
    assert str(served_port(argv)) in " ".join(instructions(final, "EXPOSE")).split()


def test_dockerfile_healthcheck_probes_the_health_view_with_valid_python():
    code = healthcheck_code()

    (cmd,) = instructions(dockerfile_stages()[-1], "CMD")
    assert f"http://127.0.0.1:{served_port(json.loads(cmd))}/health/" in code
    assert "DJANGO_ALLOWED_HOSTS" in code  # the Host header must pass ALLOWED_HOSTS
    compile(code, "HEALTHCHECK", "exec")
    assert resolve("/health/").func is views.health


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_build_context():
    patterns = dockerignore_patterns()

    for path in (
        ".env",
        ".git/HEAD",
        ".venv/bin/python",
        "db.sqlite3",
        "apps/core/__pycache__/views.cpython-311.pyc",
        "apps/core/tests/test_containers.py",
    ):
        assert dockerignored(path, patterns), path
    for path in (
        "manage.py",
        "backoffice/settings.py",
        "apps/core/views.py",
        "requirements/prod.txt",
        "requirements/base.txt",
        "templates/admin/core/confirm_soft_delete.html",
        "fixtures/demo_org.json",
    ):
        assert not dockerignored(path, patterns), path


def test_runtime_code_never_imports_the_test_packages_the_image_leaves_out():
    offenders = []
    for package in ("apps", "backoffice"):
        for path in (ROOT / package).rglob("*.py"):
            if "tests" in path.relative_to(ROOT).parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                modules = []
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    modules = [node.module]
                offenders += [f"{path}: {m}" for m in modules if "tests" in m.split(".")]

    assert not offenders


def test_collectstatic_succeeds_with_the_production_storage_the_image_build_uses(tmp_path):
    # As in the Dockerfile: DEBUG off, a throwaway key, nothing else set.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings",
        DJANGO_READ_DOT_ENV_FILE="0",  # the build context has no .env (.dockerignore)
        DJANGO_SECRET_KEY="collectstatic-build-only-not-a-real-secret-0123456789abcdef",
    )
    code = (
        "import django, sys; django.setup(); "
        "from django.conf import settings; settings.STATIC_ROOT = sys.argv[1]; "
        "from django.core.management import call_command; "
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "admin/css/base.css" in manifest["paths"]
    assert any(tmp_path.rglob("*.css.gz"))


# --- deploy/ (Kubernetes) -------------------------------------------------------


def test_every_kubernetes_document_names_its_api_version_kind_and_name():
    assert kube_documents()
    for document in kube_documents():
        kind = document.get("kind")
        assert KUBE_API_VERSIONS.get(kind) == document.get("apiVersion"), document
        if kind != "Kustomization":
            assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", document["metadata"]["name"])


def test_kubernetes_workloads_select_their_own_pods_and_run_locked_down():
    for name, workload in kube_workloads().items():
        spec = workload["spec"]
        pod = spec["template"]
        if workload["kind"] == "Deployment":  # else the API server refuses the Deployment
            assert spec["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True, name
        assert pod["spec"].get("automountServiceAccountToken") is False, name
        mounted = {}
        volumes = {volume["name"] for volume in pod["spec"].get("volumes", [])}
        for container in pod["spec"].get("initContainers", []) + pod["spec"]["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in volumes, name
                mounted[mount["mountPath"]] = mount["name"]
            if security.get("readOnlyRootFilesystem"):
                # Python, Celery and daphne write temporary files: /tmp must be a volume.
                assert "/tmp" in mounted, name


def test_kustomization_lists_every_manifest_in_deploy():
    (kustomization,) = kube_documents_of_kind("Kustomization")
    manifests = {
        path.name
        for path in (ROOT / "deploy").glob("*.y*ml")
        if path.name not in {"kustomization.yaml", "kustomization.yml"}
    }

    assert set(kustomization["resources"]) == manifests


def test_kubernetes_manifests_define_web_worker_beat_a_migrate_job_and_a_service():
    deployments = kube_objects("Deployment")
    jobs = kube_objects("Job")
    services = kube_objects("Service")

    assert {"backoffice-web", "backoffice-worker", "backoffice-beat"} <= set(deployments)
    assert "backoffice-migrate" in jobs
    web_pod_labels = deployments["backoffice-web"]["spec"]["template"]["metadata"]["labels"]
    (service,) = services.values()
    assert service["spec"]["selector"].items() <= web_pod_labels.items()
    assert deployments["backoffice-beat"]["spec"]["replicas"] == 1
    assert deployments["backoffice-beat"]["spec"]["strategy"]["type"] == "Recreate"


def test_kubernetes_commands_match_the_compose_services():
    services = compose_services()

    for workload, service in (
        ("backoffice-web", "web"),
        ("backoffice-worker", "worker"),
        ("backoffice-beat", "beat"),
        ("backoffice-migrate", "migrate"),
    ):
        assert kube_container(workload)["command"] == as_argv(services[service]["command"])
    assert kube_container("backoffice-web")["command"][-1] == asgi_target()


def test_web_deployment_probes_readiness_on_ready_and_liveness_on_health():
    web = kube_container("backoffice-web")
    allowed_hosts = kube_config()["DJANGO_ALLOWED_HOSTS"].split(",")
    (port,) = web["ports"]

    assert web["readinessProbe"]["httpGet"]["path"] == "/ready/"
    assert web["livenessProbe"]["httpGet"]["path"] == "/health/"
    assert resolve("/ready/").func is views.ready
    assert resolve("/health/").func is views.health
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        if probe not in web:
            continue
        http_get = web[probe]["httpGet"]
        assert http_get["port"] in {port["containerPort"], port.get("name")}, probe
        # The kubelet calls the pod IP: the Host header must be an allowed host.
        headers = {h["name"].lower(): h["value"] for h in http_get.get("httpHeaders", [])}
        assert headers.get("host") in allowed_hosts, probe


def test_kubernetes_secrets_come_from_a_secret_and_are_never_inlined():
    assert not kube_documents_of_kind("Secret")
    assert not {name for name in kube_config() if is_sensitive(name)}
    assert not [value for value in kube_config().values() if URL_PASSWORD.match(value)]
    referenced = set()
    for container in kube_containers():
        for variable in container.get("env", []):
            if is_sensitive(variable["name"]):
                assert "value" not in variable, variable["name"]
                assert variable["valueFrom"]["secretKeyRef"]["name"], variable["name"]
                referenced.add(variable["name"])
            else:
                assert not URL_PASSWORD.match(str(variable.get("value", ""))), variable["name"]

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL"} <= referenced


def test_kubernetes_containers_set_only_variables_that_settings_read():
    known = settings_env_names() | FRAMEWORK_ENV
    config_maps = set(kube_objects("ConfigMap"))

    assert set(kube_config()) <= known
    for container in kube_containers():
        assert {variable["name"] for variable in container.get("env", [])} <= known
        for source in container.get("envFrom", []):
            assert source["configMapRef"]["name"] in config_maps
    assert "DJANGO_DEBUG" not in kube_config()
    assert "DJANGO_SECURE_SSL_REDIRECT" not in kube_config()


def test_kubernetes_trusts_the_ingress_forwarded_proto_since_the_https_redirect_stays_on():
    # TLS ends at the ingress: without the header every request looks like plain HTTP.
    assert "DJANGO_SECURE_PROXY_SSL_HEADER" in settings_env_names()
    assert kube_config()["DJANGO_SECURE_PROXY_SSL_HEADER"] == "1"
    assert "DJANGO_SECURE_SSL_REDIRECT" not in kube_config()


@pytest.mark.parametrize("workload", ["backoffice-web", "backoffice-worker", "backoffice-beat"])
def test_kubernetes_workloads_get_every_secret_the_settings_need(workload):
    names = {variable["name"] for variable in kube_container(workload).get("env", [])}

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names
