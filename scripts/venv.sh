# Sourced by the other scripts: makes .venv and installs the project into it when
# pyproject.toml has changed since the last install. Usage: ensure_venv [extra]
ensure_venv() {
  local extra="${1:-}" spec="." stamp want
  [ -n "$extra" ] && spec=".[$extra]"
  if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv …" >&2
    "${PYTHON:-python3}" -m venv .venv
  fi
  stamp=".venv/.casetracker-installed-$extra"
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing Casetracker and its dependencies ($spec) …" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --editable "$spec"
    echo "$want" > "$stamp"
  fi
}
