# The warroom sidecar with Microsoft's ODBC Driver 18 for SQL Server.
# Debian 12 (bookworm) is pinned because Microsoft's repository below is the
# one for Debian 12.
FROM python:3.11-slim-bookworm

# ACCEPT_EULA=Y accepts the driver's licence, which its package requires.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
    && curl -fsSL https://packages.microsoft.com/keys/microsoft.asc \
        | gpg --dearmor -o /usr/share/keyrings/microsoft-prod.gpg \
    && echo "deb [arch=$(dpkg --print-architecture) signed-by=/usr/share/keyrings/microsoft-prod.gpg] https://packages.microsoft.com/debian/12/prod bookworm main" \
        > /etc/apt/sources.list.d/microsoft-prod.list \
    && apt-get update \
    && ACCEPT_EULA=Y apt-get install -y --no-install-recommends msodbcsql18 unixodbc \
    && apt-get purge -y curl gnupg \
    && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY warroom ./warroom
COPY sql ./sql
COPY config ./config
# An editable install keeps the code in /app, because the engine finds sql/
# and config/ beside its own package folder (engine/paths.py).
RUN pip install --no-cache-dir -e '.[mssql]'

RUN useradd --system --create-home --home-dir /var/lib/warroom warroom
USER warroom
ENV WARROOM_HOME=/var/lib/warroom
EXPOSE 8000
CMD ["warroom", "serve", "--host", "0.0.0.0", "--port", "8000"]
