#!/usr/bin/env bash
# Smoke check that a kubechat build sends a trace: start a throwaway OTLP/HTTP receiver on
# loopback, run `--demo plan` with OTEL_EXPORTER_OTLP_ENDPOINT pointing at it, and fail
# unless spans arrived. Usage: scripts/otel_smoke.sh IMAGE (docker) or scripts/otel_smoke.sh
# --command PATH (a kubechat executable with the otel extra).
set -euo pipefail
cd "$(dirname "$0")/.."
port_file="$(mktemp)"
got="$(mktemp)"
trap 'kill "$receiver" 2>/dev/null || true; rm -f "$port_file" "$got"' EXIT
python3 - "$port_file" "$got" <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port_file, got = sys.argv[1], sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/v1/traces" and body:
            with open(got, "a") as out:
                out.write(f"{len(body)}\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file, "w") as out:
    out.write(str(server.server_port))
server.serve_forever()
PY
receiver=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(cat "$port_file")"
if [ "${1:-}" = "--command" ]; then
    OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" HOME="$(mktemp -d)" \
        "${2:?usage: otel_smoke.sh --command PATH}" --demo plan "restart payments-api in prod-eu" >/dev/null
else
    docker run --rm --network host -e OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" \
        "${1:?usage: otel_smoke.sh IMAGE | --command PATH}" --demo plan "restart payments-api in prod-eu" >/dev/null
fi
if [ ! -s "$got" ]; then
    echo "otel smoke: no trace reached $endpoint" >&2
    exit 1
fi
echo "otel smoke: $(wc -l < "$got") trace export(s) received"
