# retort's image: one static musl binary in an otherwise empty image.
#
#   docker build -t retort .          (or: docker compose build migrate)
#   docker run --rm -e DATABASE_URL=postgresql://... -v "$PWD/migrations:/app/migrations" retort upgrade head
#
# Stage 1 builds the static libraries (OpenSSL, zlib, SQLite, libpq, libmariadb,
# libcurl, libpg_query, inih) from Debian's sources with docker/static-deps.sh, the script
# `make static` uses.  It depends on that script alone, so it stays cached
# while retort's own sources change.
FROM debian:bookworm-slim AS deps
COPY docker/static-deps.sh /usr/local/bin/static-deps.sh
RUN /usr/local/bin/static-deps.sh /opt/static

# Stage 2 compiles and links retort against that prefix.
FROM deps AS build
WORKDIR /src
COPY Makefile ./
COPY docker/ ./docker/
COPY src/ ./src/
RUN make static STATIC_DEPS=/opt/static \
 && mkdir -p /root-fs/etc/ssl/certs /root-fs/app/migrations \
 && cp build/static/retort /root-fs/retort \
 && cp /etc/ssl/certs/ca-certificates.crt /root-fs/etc/ssl/certs/ \
 && echo 'retort:x:10001:10001:retort:/app:/nonexistent' >/root-fs/etc/passwd \
 && echo 'retort:x:10001:' >/root-fs/etc/group \
 && /root-fs/retort --version

# The image: the binary, the CA bundle, a non-root user, /app/migrations.
FROM scratch
COPY --from=build /root-fs/ /
COPY --chown=10001:10001 migrations/ /app/migrations/
WORKDIR /app
USER 10001:10001
# No default database in here: without DATABASE_URL (or DATABASE_URL_FILE,
# or --url) retort exits 2 instead of migrating a throwaway file.
ENV RETORT_REQUIRE_URL=1 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL org.opencontainers.image.title="retort" \
      org.opencontainers.image.description="Database migrations with Alembic's commands, as one static binary (PostgreSQL, MySQL/MariaDB, SQLite)" \
      org.opencontainers.image.version="0.1.0"
ENTRYPOINT ["/retort"]
CMD ["--help"]
