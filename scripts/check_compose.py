#!/usr/bin/env python3
"""Static check of compose.yaml (there is no Docker engine to run it here).

Verifies, with the defaults compose would use on a machine without `.env`:
  * every `build` has an existing context, Dockerfile and `target` stage;
  * every ${VAR} has a default (`:-`/`-`) or is in .env.example;
  * every environment variable set on a service built from our Dockerfile is
    one the binaries read: `.env.example`, the table of docs/configuration.md, the
    `env = "NAME"` bindings in the Rust sources, and the AWS SDK's own
    variables (credentials, region, endpoint);
  * each published container port is the port of that service's HTTP address
    setting (PELICAN_HTTP_ADDR, EMU_HTTP_ADDR, FRONTEND_ADDR), bound to a
    wildcard address so it is reachable, and the image EXPOSEs the same port;
  * depends_on names existing services; `service_healthy` ones have a
    health check (in compose or the image); `service_completed_successfully`
    ones are one-shot (no restart policy that would restart them);
  * bind-mount sources exist and named volumes are declared;
  * the frontend is published on host port 8080 by default.

Prints nothing and exits 0 when all holds; otherwise one line per problem
and exit 1. Usage: check_compose.py [compose.yaml]
"""

from __future__ import annotations

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Variables the AWS SDK for Rust reads by itself (documented in its
# configuration reference); the binaries pass them through untouched.
AWS_SDK_VARS = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_SNS",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
}

# Image target -> the setting that holds its HTTP (health) address.
HTTP_ADDR_SETTING = {
    "pelican": "PELICAN_HTTP_ADDR",
    "emu": "EMU_HTTP_ADDR",
    "frontend": "FRONTEND_ADDR",
}

INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)

problems: list[str] = []


def fail(msg: str) -> None:
    problems.append(msg)


def env_example() -> dict[str, str]:
    values = {}
    path = ROOT / ".env.example"
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def known_variables(example: dict[str, str]) -> set[str]:
    known = set(example) | AWS_SDK_VARS
    config = ROOT / "docs" / "configuration.md"
    if config.exists():
        for line in config.read_text().splitlines():
            if line.startswith("|"):
                first_cell = line.split("|")[1]
                known |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    crates = [ROOT / "pelican", ROOT / "emu", ROOT / "frontend", *sorted((ROOT / "crates").iterdir())]
    for crate in crates:
        for src in (crate / "src").rglob("*.rs"):
            known |= set(re.findall(r'\benv\s*=\s*"([A-Z][A-Z0-9_]+)"', src.read_text()))
            known |= set(re.findall(r'env::var(?:_os)?\("([A-Z][A-Z0-9_]+)"\)', src.read_text()))
    return known


def interpolate(text: str, example: dict[str, str]) -> str:
    """Resolve ${VAR...} as compose would with no .env and a clean shell
    (tunables take their defaults), reporting variables that have neither a
    default nor an entry in .env.example."""
    out = []
    i = 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        m = INTERPOLATION.match(text, i) if text[i] == "$" else None
        if not m:
            out.append(text[i])
            i += 1
            continue
        name = m.group("name") or m.group("bare")
        op, arg = m.group("op"), m.group("arg")
        if op in (":-", "-"):
            out.append(arg)
        elif name in example:
            out.append("" if op in (":+", "+") else example[name])
        else:
            line = text.count("\n", 0, i) + 1
            fail(f"compose.yaml:{line}: ${{{name}}} has no default and is not in .env.example")
            out.append("")
        i = m.end()
    return "".join(out)


def dockerfile_stages(path: pathlib.Path) -> dict[str, dict]:
    """Stage name -> {"env": {...}, "expose": [...], "healthcheck": bool},
    with ENV/EXPOSE/HEALTHCHECK inherited from a `FROM <stage>` parent."""
    logical: list[str] = []
    buf = ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        logical.append(buf + stripped)
        buf = ""
    stages: dict[str, dict] = {}
    current = None
    for line in logical:
        instr, _, rest = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            parts = rest.split()
            base = parts[0]
            name = parts[2] if len(parts) >= 3 and parts[1].lower() == "as" else None
            parent = stages.get(base, {"env": {}, "expose": [], "healthcheck": False})
            current = {
                "env": dict(parent["env"]),
                "expose": list(parent["expose"]),
                "healthcheck": parent["healthcheck"],
            }
            if name:
                stages[name] = current
        elif current is None:
            continue
        elif instr == "ENV":
            for key, value in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\S+)", rest):
                current["env"][key] = value.strip('"')
        elif instr == "EXPOSE":
            current["expose"] += [p.split("/")[0] for p in rest.split()]
        elif instr == "HEALTHCHECK":
            current["healthcheck"] = not rest.strip().upper().startswith("NONE")
    return stages


def as_env_dict(env) -> dict[str, str]:
    if env is None:
        return {}
    if isinstance(env, dict):
        return {str(k): "" if v is None else str(v) for k, v in env.items()}
    result = {}
    for item in env:
        key, _, value = str(item).partition("=")
        result[key] = value
    return result


def parse_port(spec) -> tuple[str | None, str]:
    """(host port, container port) of a short- or long-syntax port."""
    if isinstance(spec, dict):
        return (str(spec.get("published")) if spec.get("published") else None, str(spec["target"]))
    parts = str(spec).split("/")[0].rsplit(":", 2)
    if len(parts) == 1:
        return None, parts[0]
    return parts[-2], parts[-1]


def main() -> int:
    compose_path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "compose.yaml"
    example = env_example()
    known = known_variables(example)
    raw = compose_path.read_text()
    doc = yaml.safe_load(interpolate(raw, example))
    services: dict = doc.get("services") or {}
    declared_volumes = set((doc.get("volumes") or {}).keys())
    base = compose_path.parent

    image_health: dict[str, bool] = {}
    published_frontend = False
    for name, svc in services.items():
        svc = svc or {}
        build = svc.get("build")
        target = None
        stage = None
        if build is not None:
            if isinstance(build, str):
                build = {"context": build}
            context = (base / build.get("context", ".")).resolve()
            if not context.is_dir():
                fail(f"{name}: build context {build.get('context')} does not exist")
                continue
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if not dockerfile.is_file():
                fail(f"{name}: Dockerfile {dockerfile} does not exist")
                continue
            stages = dockerfile_stages(dockerfile)
            target = build.get("target")
            if target is None:
                fail(f"{name}: build has no target (the Dockerfile builds four images)")
            elif target not in stages:
                fail(f"{name}: target {target!r} is not a stage of {dockerfile.name}")
            else:
                stage = stages[target]
                image_health[name] = stage["healthcheck"]

        env = as_env_dict(svc.get("environment"))
        if build is not None:
            for var in env:
                if var not in known:
                    fail(f"{name}: sets {var}, which no binary reads (not in .env.example, docs/configuration.md, the Rust sources or the AWS SDK's variables)")
            for f in svc.get("env_file") or []:
                fail(f"{name}: env_file {f} is not checked; set variables under environment:")

        ports = svc.get("ports") or []
        addr_var = HTTP_ADDR_SETTING.get(target or "")
        for spec in ports:
            host_port, container_port = parse_port(spec)
            if addr_var is None:
                if build is not None:
                    fail(f"{name}: publishes {spec} but target {target!r} serves no HTTP address")
                continue
            addr = env.get(addr_var) or (stage or {}).get("env", {}).get(addr_var)
            if not addr:
                fail(f"{name}: publishes {spec} but {addr_var} is set neither in compose nor in the image")
                continue
            host, _, port = addr.rpartition(":")
            if port != container_port:
                fail(f"{name}: publishes container port {container_port} but {addr_var}={addr}")
            if host not in ("0.0.0.0", "[::]", ""):
                fail(f"{name}: {addr_var}={addr} is not reachable from outside the container (bind 0.0.0.0)")
            if stage is not None and container_port not in stage["expose"]:
                fail(f"{name}: image target {target} does not EXPOSE {container_port}")
            if target == "frontend" and host_port == "8080":
                published_frontend = True
        if addr_var and stage is not None:
            addr = env.get(addr_var) or stage["env"].get(addr_var, "")
            if addr and addr.rpartition(":")[2] not in stage["expose"]:
                fail(f"{name}: {addr_var}={addr} but the image EXPOSEs {stage['expose']}")

        for vol in svc.get("volumes") or []:
            source = vol.get("source") if isinstance(vol, dict) else str(vol).split(":")[0]
            if source.startswith((".", "/")):
                if not (base / source).exists():
                    fail(f"{name}: bind-mount source {source} does not exist")
            elif source not in declared_volumes:
                fail(f"{name}: volume {source} is not declared under volumes:")

    for name, svc in services.items():
        deps = (svc or {}).get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for dep, spec in deps.items():
            if dep not in services:
                fail(f"{name}: depends on unknown service {dep}")
                continue
            other = services[dep] or {}
            if (other.get("profiles") or []) and not (svc or {}).get("profiles"):
                fail(f"{name}: depends on {dep}, which only starts with a profile")
            condition = (spec or {}).get("condition", "service_started")
            if condition == "service_healthy":
                hc = other.get("healthcheck")
                has = (hc is not None and not hc.get("disable")) or image_health.get(dep, False)
                if not has:
                    fail(f"{name}: waits for {dep} to be healthy, but {dep} has no health check")
            elif condition == "service_completed_successfully":
                if other.get("restart", "no") not in ("no", "on-failure", None):
                    fail(f"{name}: waits for {dep} to complete, but {dep} restarts ({other.get('restart')})")
            elif condition != "service_started":
                fail(f"{name}: unknown depends_on condition {condition}")

    if "frontend" in services and not published_frontend:
        fail("frontend: not published on host port 8080 by default")

    for p in problems:
        print(f"compose check: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
