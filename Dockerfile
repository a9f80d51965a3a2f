# kubechat container image: the wheel in a slim Python, run as a non-root user, friendly
# to a read-only root filesystem (state and config under /data, a volume or an emptyDir).
# Build: docker build -t kubechat .   Run: docker run --rm -it kubechat --demo
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kubechat_tui kubechat_tui
COPY themes themes
COPY recipes recipes
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[otel,serve]'

FROM python:3.11-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="kubechat" \
      org.opencontainers.image.description="Terminal console for multi-cluster Kubernetes incident triage with guarded, audited execution" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/kubechat/kubechat"
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels 'kubechat-tui[otel,serve]' \
    && rm -rf /wheels \
    && useradd --uid 10001 --home-dir /data --create-home --shell /usr/sbin/nologin kubechat
USER 10001:10001
ENV HOME=/data XDG_CONFIG_HOME=/data/config XDG_DATA_HOME=/data/share \
    XDG_CACHE_HOME=/tmp PYTHONDONTWRITEBYTECODE=1
VOLUME ["/data"]
EXPOSE 8000
# `kubechat serve` (the browser console) answers /healthz on 8000 without its token.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
ENTRYPOINT ["kubechat"]
CMD ["--help"]
